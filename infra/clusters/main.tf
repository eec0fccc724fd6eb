# One parameterised root for every cluster. Each cluster has its own directory holding
# only data - <cluster>/cluster.tfvars and <cluster>/backend.tfbackend - so dev, staging
# and production share one reviewed configuration and differ only in values and state.
#
# Everything that costs money is gated by should_create_cluster, which every
# cluster.tfvars declares (no default: an apply that forgets it is refused). Flux is the
# second phase (install_flux): the kubernetes and helm providers are configured from the
# cluster as it exists before the apply, never from a cluster created in the same apply.
# See infra/README.md, "The gate and the safe apply order".

locals {
  create       = var.should_create_cluster
  install_flux = var.should_create_cluster && var.install_flux
}

# Guard against applying one cluster's variables to another cluster's state (the classic
# risk of a shared root) and against switching an existing cluster's gate off. It records
# the name and the gate of the first apply and never updates them (ignore_changes), so
# its output is what the state was created with. A record written before the gate was
# recorded (a plain name) counts as a created cluster.
resource "terraform_data" "cluster_identity" {
  input = {
    name    = var.cluster_name
    created = var.should_create_cluster
  }

  lifecycle {
    ignore_changes = [input]

    postcondition {
      condition     = try(self.output.name, self.output) == var.cluster_name
      error_message = "This state belongs to another cluster: re-run `tofu init -reconfigure -backend-config=<cluster>/backend.tfbackend` with the backend file of the cluster whose cluster.tfvars you passed."
    }

    postcondition {
      condition     = var.should_create_cluster || !try(self.output.created, true)
      error_message = "This cluster was created with should_create_cluster = true; refusing should_create_cluster = false, which would destroy it. Keep the gate true (it is declared in <cluster>/cluster.tfvars); to delete the cluster on purpose follow \"Deleting a cluster\" in infra/README.md."
    }
  }
}

module "doks" {
  source = "../modules/doks"
  count  = local.create ? 1 : 0

  cluster_name              = var.cluster_name
  region                    = var.region
  kubernetes_version_prefix = var.kubernetes_version_prefix
  vpc_ip_range              = var.vpc_ip_range
  ha_control_plane          = var.ha_control_plane
  node_pools                = var.node_pools
  expose_kubeconfig         = var.expose_kubeconfig

  control_plane_allowed_cidrs = var.control_plane_allowed_cidrs
}

# Phase two: needs the cluster to exist before the apply starts (see providers.tf).
module "fluxcd" {
  source = "../modules/fluxcd"
  count  = local.install_flux ? 1 : 0

  cluster_name       = var.cluster_name
  git_repository_url = var.platform_repository_url
  git_branch         = var.platform_repository_branch
  git_auth           = var.flux_git_auth
  node_selector      = { "wildside.dev/pool" = "core" }

  depends_on = [module.doks]
}

module "external_dns" {
  source = "../modules/external_dns"
  count  = local.create ? 1 : 0

  cluster_name           = var.cluster_name
  dns_zone               = var.base_domain
  create_zone            = var.create_dns_zone
  digitalocean_api_token = var.dns_api_token
  vault_kv_mount         = var.vault_kv_mount
  vault_kv_prefix        = local.vault_kv_scope
}

module "traefik" {
  source = "../modules/traefik"
  count  = local.create ? 1 : 0

  cluster_name   = var.cluster_name
  region         = var.region
  vpc_id         = module.doks[0].vpc_id
  dns_zone       = module.external_dns[0].zone_name
  preview_domain = var.preview_domain
  # ExternalDNS owns *.<preview_domain> through the Traefik Service annotation that
  # `wildside platform render` writes; one owner per record.
  manage_wildcard_record = false
}

module "cert_manager" {
  source = "../modules/cert_manager"
  count  = local.create ? 1 : 0

  cluster_name           = var.cluster_name
  dns_zone               = module.external_dns[0].zone_name
  preview_domain         = var.preview_domain
  acme_email             = var.acme_email
  acme_environment       = var.acme_environment
  digitalocean_api_token = var.dns_api_token
  vault_kv_mount         = var.vault_kv_mount
  vault_kv_prefix        = local.vault_kv_scope
}

module "vault_eso" {
  source = "../modules/vault_eso"
  count  = local.create ? 1 : 0

  cluster_name       = var.cluster_name
  kubernetes_host    = module.doks[0].endpoint
  kubernetes_ca_cert = module.doks[0].cluster_ca_certificate
  vault_kv_mount     = var.vault_kv_mount
  vault_kv_prefix    = local.vault_kv_scope
  # Pre-created by `wildside vault bootstrap --cluster-config` with exactly what this
  # cluster syncs; the shared wildside-external-secrets grants nothing.
  policy_name = "wildside-external-secrets-${var.cluster_name}"
}

module "cnpg" {
  source = "../modules/cnpg"
  count  = local.create ? 1 : 0

  cluster_name    = var.cluster_name
  region          = var.region
  vault_kv_mount  = var.vault_kv_mount
  vault_kv_prefix = local.vault_kv_scope
}

module "redis" {
  source = "../modules/redis"
  count  = local.create ? 1 : 0

  cluster_name    = var.cluster_name
  vault_kv_mount  = var.vault_kv_mount
  vault_kv_prefix = local.vault_kv_scope
}

# Phase one leaves Flux out; say so on every plan until phase two is switched on.
check "flux_is_installed" {
  assert {
    condition     = !var.should_create_cluster || var.install_flux
    error_message = "Flux is not installed (install_flux = false): once this apply has created the cluster, set install_flux = true in <cluster>/cluster.tfvars and apply again (infra/README.md, the safe apply order)."
  }
}
