# Stores the DNS-01 solver token in OpenBao and restricts issuance for
# preview.example.com to Let's Encrypt. Credentials: DIGITALOCEAN_TOKEN, VAULT_ADDR,
# VAULT_TOKEN, VAULT_CACERT and TF_VAR_dns_api_token in the environment.

variable "dns_api_token" {
  description = "DigitalOcean token with domain read/write scope."
  type        = string
  sensitive   = true
}

provider "digitalocean" {}

provider "vault" {}

module "cert_manager" {
  source = "../.."

  cluster_name           = "example"
  dns_zone               = "example.com"
  preview_domain         = "preview.example.com"
  acme_email             = "platform@example.com"
  acme_environment       = "staging"
  digitalocean_api_token = var.dns_api_token
  vault_kv_prefix        = "wildside/platform/example"
}

output "cluster_issuer_name" {
  description = "ClusterIssuer the renderer creates."
  value       = module.cert_manager.cluster_issuer_name
}
