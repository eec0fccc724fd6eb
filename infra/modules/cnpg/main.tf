# CloudNativePG's cloud side: a private, versioned Spaces bucket for Barman base backups and
# WAL archives, an access key scoped to that bucket only, and that key stored in Vault KV.

resource "random_id" "bucket_suffix" {
  count       = var.bucket_name == null ? 1 : 0
  byte_length = 3
}

locals {
  # A conditional, not coalesce(): coalesce evaluates both arguments, and the generated
  # name interpolates a null suffix when bucket_name is set ("Invalid template
  # interpolation value").
  bucket_name = var.bucket_name != null ? var.bucket_name : "${var.cluster_name}-cnpg-backups-${one(random_id.bucket_suffix[*].hex)}"
  endpoint    = "https://${var.region}.digitaloceanspaces.com"
  secret_path = "${var.vault_kv_prefix}/cnpg-backups"
  secret_keys = {
    access_key_id     = "ACCESS_KEY_ID"
    secret_access_key = "ACCESS_SECRET_KEY"
  }
}

resource "digitalocean_spaces_bucket" "backups" {
  name          = local.bucket_name
  region        = var.region
  acl           = "private"
  force_destroy = var.force_destroy

  versioning {
    enabled = true
  }

  # Current objects never expire here: CloudNativePG's retentionPolicy removes backups it
  # no longer needs (and never the latest base backup). A lifecycle expiration of current
  # objects would delete the only base backup once backups stop for longer than its age.
  # Objects that barman deleted or overwrote stay recoverable as noncurrent versions.
  lifecycle_rule {
    id      = "expire-deleted-backups"
    enabled = true

    noncurrent_version_expiration {
      days = var.noncurrent_retention_days
    }

    abort_incomplete_multipart_upload_days = 1
  }
}

resource "digitalocean_spaces_key" "backups" {
  name = "${var.cluster_name}-cnpg-backups"

  grant {
    bucket     = digitalocean_spaces_bucket.backups.name
    permission = "readwrite"
  }
}

resource "vault_kv_secret_v2" "backups" {
  mount = var.vault_kv_mount
  name  = local.secret_path
  data_json = jsonencode({
    (local.secret_keys.access_key_id)     = digitalocean_spaces_key.backups.access_key
    (local.secret_keys.secret_access_key) = digitalocean_spaces_key.backups.secret_key
  })
  custom_metadata {
    data = {
      managed-by = "opentofu"
      cluster    = var.cluster_name
      consumer   = "cloudnative-pg"
    }
  }
}
