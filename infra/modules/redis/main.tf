# The shared Redis-compatible cache runs in-cluster (rendered by `wildside platform render`);
# what it needs from outside is its password, generated here and stored in Vault KV so that
# External Secrets can hand it to the server and to the applications.

locals {
  secret_path = "${var.vault_kv_prefix}/redis"
  secret_key  = "password"
}

resource "random_password" "this" {
  length  = var.password_length
  special = false # used in redis:// URLs without escaping
  keepers = {
    rotation = var.password_rotation
  }
}

resource "vault_kv_secret_v2" "this" {
  mount = var.vault_kv_mount
  name  = local.secret_path
  data_json = jsonencode({
    (local.secret_key) = random_password.this.result
  })
  custom_metadata {
    data = {
      managed-by = "opentofu"
      cluster    = var.cluster_name
      consumer   = "redis"
    }
  }
}
