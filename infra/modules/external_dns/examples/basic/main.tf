# Verifies that example.com exists in DigitalOcean DNS and stores ExternalDNS's token in
# OpenBao. Credentials: DIGITALOCEAN_TOKEN, VAULT_ADDR, VAULT_TOKEN, VAULT_CACERT and
# TF_VAR_dns_api_token in the environment.

variable "dns_api_token" {
  description = "DigitalOcean token with domain read/write scope."
  type        = string
  sensitive   = true
}

provider "digitalocean" {}

provider "vault" {}

module "external_dns" {
  source = "../.."

  cluster_name           = "example"
  dns_zone               = "example.com"
  digitalocean_api_token = var.dns_api_token
  vault_kv_prefix        = "wildside/platform/example"
}

output "vault_secret_path" {
  description = "Where the token was stored."
  value       = module.external_dns.vault_secret_path
}
