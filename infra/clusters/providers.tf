# Credentials come from the environment, never from variables or files:
#   DIGITALOCEAN_TOKEN                        - digitalocean provider (and doctl, below)
#   SPACES_ACCESS_KEY_ID / SPACES_SECRET_ACCESS_KEY - digitalocean provider, Spaces buckets
#   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY - the S3 backend (a Spaces key)
#   VAULT_TOKEN, VAULT_CACERT                 - vault provider
# The Kubernetes and Helm providers get short-lived credentials from doctl on every run,
# so no cluster token is stored in state or configuration.

locals {
  k8s_host       = one(module.doks[*].endpoint)
  k8s_ca         = one(module.doks[*].cluster_ca_certificate)
  k8s_exec_args  = ["kubernetes", "cluster", "kubeconfig", "exec-credential", "--version=v1beta1", coalesce(one(module.doks[*].cluster_id), "not-created")]
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
}
