# The shared OpenBao (Vault-compatible) appliance, in its own root and its own state.
#
# It is separate from the cluster roots because those configure the Vault provider and
# write into OpenBao, which is only possible after `wildside vault bootstrap` has
# initialised and unsealed it: apply this root, bootstrap, then apply a cluster root.

resource "digitalocean_vpc" "vault" {
  name        = "wildside-${var.environment}-vault-vpc"
  region      = var.region
  ip_range    = var.vpc_ip_range
  description = "VPC of the wildside-${var.environment} OpenBao appliance (managed by OpenTofu)."
}

module "vault_appliance" {
  source = "../modules/vault_appliance"

  name                   = "wildside-${var.environment}"
  region                 = var.region
  vpc_id                 = digitalocean_vpc.vault.id
  node_count             = var.node_count
  droplet_size           = var.droplet_size
  ssh_key_fingerprints   = var.ssh_key_fingerprints
  admin_cidrs            = var.admin_cidrs
  lb_allowed_cidrs       = var.lb_allowed_cidrs
  openbao_version        = var.openbao_version
  openbao_package_sha256 = var.openbao_package_sha256
  hostname               = var.hostname
  dns_zone               = var.dns_zone
}
