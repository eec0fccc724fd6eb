# Generates the cache password and stores it in OpenBao.
# Credentials: VAULT_ADDR, VAULT_TOKEN and VAULT_CACERT in the environment.

provider "vault" {}

module "redis" {
  source = "../.."

  cluster_name    = "example"
  vault_kv_prefix = "wildside/platform/example"
}

output "vault_secret_path" {
  description = "Where the password was stored."
  value       = module.redis.vault_secret_path
}
