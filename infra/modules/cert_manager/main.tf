# cert-manager's cloud side: the DNS-01 solver token in Vault KV and CAA records that limit
# certificate issuance for the preview domain to Let's Encrypt. The ClusterIssuer and the
# wildcard Certificate are rendered by `wildside platform render` from this module's outputs.

locals {
  acme_servers = {
    production = "https://acme-v02.api.letsencrypt.org/directory"
    staging    = "https://acme-staging-v02.api.letsencrypt.org/directory"
  }
  secret_path = "${var.vault_kv_prefix}/cert-manager"
  secret_key  = "access-token"
  caa_name    = trimsuffix(var.preview_domain, ".${var.dns_zone}")
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
      consumer   = "cert-manager"
    }
  }
}

resource "digitalocean_record" "caa" {
  for_each = var.manage_caa_records ? toset(["issue", "issuewild"]) : toset([])
  domain   = var.dns_zone
  type     = "CAA"
  name     = local.caa_name
  flags    = 0
  tag      = each.value
  value    = "letsencrypt.org."
  ttl      = 3600

  lifecycle {
    precondition {
      condition     = endswith(var.preview_domain, ".${var.dns_zone}")
      error_message = "preview_domain must be a subdomain of dns_zone."
    }
  }
}
