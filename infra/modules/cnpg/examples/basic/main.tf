# A private, versioned backup bucket in fra1 with a bucket-scoped key stored in OpenBao.
# Credentials: DIGITALOCEAN_TOKEN, SPACES_ACCESS_KEY_ID, SPACES_SECRET_ACCESS_KEY,
# VAULT_ADDR, VAULT_TOKEN and VAULT_CACERT in the environment.

provider "digitalocean" {}

provider "vault" {}

module "cnpg" {
  source = "../.."

  cluster_name    = "example"
  region          = "fra1"
  vault_kv_prefix = "wildside/platform/example"
}

output "backups_bucket" {
  description = "Name of the backup bucket."
  value       = module.cnpg.backups_bucket
}
