# Credentials come from the environment, never from variables or files:
#   DIGITALOCEAN_TOKEN                        - digitalocean provider (and doctl, below)
#   SPACES_ACCESS_KEY_ID / SPACES_SECRET_ACCESS_KEY - digitalocean provider, Spaces buckets
#   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY - the S3 backend (a Spaces key)
#   VAULT_TOKEN, VAULT_CACERT                 - vault provider
# The Kubernetes and Helm providers get short-lived credentials from doctl on every run,
# so no cluster token is stored in state or configuration.

# The kubernetes and helm providers are configured from the cluster as it exists when the
# plan starts (a data source read by name), not from the doks module: a provider configured
# from a resource created or replaced in the same apply sees unknown values while
# planning. So Flux is a second phase (install_flux = true once the cluster exists).
data "digitalocean_kubernetes_cluster" "flux_target" {
  count = local.install_flux ? 1 : 0
  name  = var.cluster_name
}

locals {
  k8s_cluster    = one(data.digitalocean_kubernetes_cluster.flux_target[*])
  k8s_host       = try(local.k8s_cluster.endpoint, null)
  k8s_ca         = try(base64decode(nonsensitive(local.k8s_cluster.kube_config[0].cluster_ca_certificate)), null)
  k8s_exec_args  = ["kubernetes", "cluster", "kubeconfig", "exec-credential", "--version=v1beta1", try(local.k8s_cluster.id, "not-created")]
  k8s_exec_api   = "client.authentication.k8s.io/v1beta1"
  k8s_exec_tool  = "doctl"
  vault_kv_scope = "wildside/platform/${var.cluster_name}"
}

provider "digitalocean" {}

provider "kubernetes" {
  host                   = local.k8s_host
  cluster_ca_certificate = local.k8s_ca

  exec {
    api_version = local.k8s_exec_api
    command     = local.k8s_exec_tool
    args        = local.k8s_exec_args
  }
}

provider "helm" {
  kubernetes = {
    host                   = local.k8s_host
    cluster_ca_certificate = local.k8s_ca
    exec = {
      api_version = local.k8s_exec_api
      command     = local.k8s_exec_tool
      args        = local.k8s_exec_args
    }
  }
}

provider "vault" {
  address = var.vault_address
  # The provider's child token must outlive the whole apply (the default is 20 minutes).
  # The token in VAULT_TOKEN caps it: mint that one with at least this TTL.
  max_lease_ttl_seconds = var.vault_token_ttl_seconds
}
