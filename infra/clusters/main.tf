# One parameterised root for every cluster. Each cluster has its own directory holding
# only data - <cluster>/cluster.tfvars and <cluster>/backend.tfbackend - so dev, staging
# and production share one reviewed configuration and differ only in values and state.
#
# Everything is gated by should_create_cluster (TF_VAR_should_create_cluster=true).

locals {
  create = var.should_create_cluster
}

# Guard against applying one cluster's variables to another cluster's state (the classic
# risk of a shared root): the name recorded at creation must match var.cluster_name.
resource "terraform_data" "cluster_identity" {
  input = var.cluster_name

  lifecycle {
    ignore_changes = [input]

    postcondition {
      condition     = self.output == var.cluster_name
      error_message = "This state belongs to another cluster: re-run `tofu init -reconfigure -backend-config=<cluster>/backend.tfbackend` with the backend file of the cluster whose cluster.tfvars you passed."
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
}

module "fluxcd" {
  source = "../modules/fluxcd"
  count  = local.create ? 1 : 0

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
