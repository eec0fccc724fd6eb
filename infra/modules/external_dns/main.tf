# ExternalDNS's cloud side: the DNS zone (created or verified) and the API token that
# ExternalDNS uses, stored in Vault KV for External Secrets to deliver into the cluster.

locals {
  secret_path = "${var.vault_kv_prefix}/external-dns"
  secret_key  = "DO_TOKEN"
}

resource "digitalocean_domain" "this" {
  count = var.create_zone ? 1 : 0
  name  = var.dns_zone
}

data "digitalocean_domain" "existing" {
  count = var.create_zone ? 0 : 1
  name  = var.dns_zone
}

resource "vault_kv_secret_v2" "token" {
  mount = var.vault_kv_mount
  name  = local.secret_path
  data_json = jsonencode({
    (local.secret_key) = var.digitalocean_api_token
  })
  custom_metadata {
    data = {
      managed-by = "opentofu"
      cluster    = var.cluster_name
      consumer   = "external-dns"
    }
  }
}
