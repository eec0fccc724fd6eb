# A single-node OpenBao appliance in its own VPC.
# Credentials: export DIGITALOCEAN_TOKEN. Then initialise it with `wildside vault bootstrap`.

variable "ssh_key_fingerprint" {
  description = "Fingerprint of an SSH key uploaded to DigitalOcean."
  type        = string
}

variable "openbao_package_sha256" {
  description = "SHA-256 of the OpenBao .deb (from the release's checksum file)."
  type        = string
}

provider "digitalocean" {}

resource "digitalocean_vpc" "vault" {
  name     = "example-vault-vpc"
  region   = "fra1"
  ip_range = "10.120.0.0/24"
}

module "vault_appliance" {
  source = "../.."

  name                   = "example"
  region                 = "fra1"
  vpc_id                 = digitalocean_vpc.vault.id
  ssh_key_fingerprints   = [var.ssh_key_fingerprint]
  openbao_package_sha256 = var.openbao_package_sha256
  admin_cidrs            = ["203.0.113.0/24"]
  lb_allowed_cidrs       = ["203.0.113.0/24", "198.51.100.0/24"]
}

output "vault_address" {
  description = "Address of the appliance."
  value       = module.vault_appliance.vault_address
}

output "ca_cert_pem" {
  description = "CA certificate to pin."
  value       = module.vault_appliance.ca_cert_pem
}
