# Lets External Secrets of an existing cluster read wildside/platform/example/* from OpenBao.
# Credentials: VAULT_ADDR, VAULT_TOKEN and VAULT_CACERT in the environment.

variable "kubernetes_host" {
  description = "API server URL of the cluster (output endpoint of the doks module)."
  type        = string
}

variable "kubernetes_ca_cert" {
  description = "PEM CA of the API server (output cluster_ca_certificate of the doks module)."
  type        = string
}

provider "vault" {}

module "vault_eso" {
  source = "../.."

  cluster_name       = "example"
  kubernetes_host    = var.kubernetes_host
  kubernetes_ca_cert = var.kubernetes_ca_cert
  vault_kv_prefix    = "wildside/platform/example"
}

output "role_name" {
  description = "Role External Secrets logs in with."
  value       = module.vault_eso.role_name
}
