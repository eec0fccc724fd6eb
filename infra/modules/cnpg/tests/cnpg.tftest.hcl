# The CloudNativePG backup bucket, its scoped key and the Vault KV entry, planned with
# mocked providers (no credentials).

mock_provider "digitalocean" {
  mock_resource "digitalocean_spaces_key" {
    defaults = {
      access_key = "FAKEACCESSKEYFORTESTS"
      secret_key = "fake-secret-key-for-tests"
    }
  }
}
mock_provider "vault" {}
mock_provider "random" {}

variables {
  cluster_name    = "dev"
  region          = "fra1"
  vault_kv_prefix = "wildside/platform/dev"
}

run "generated_bucket_name" {
  command = apply

  assert {
    condition     = startswith(output.backups_bucket, "dev-cnpg-backups-") && length(random_id.bucket_suffix) == 1
    error_message = "Without bucket_name the bucket gets <cluster>-cnpg-backups-<suffix>."
  }
  assert {
    condition     = output.backups_endpoint == "https://fra1.digitaloceanspaces.com"
    error_message = "The endpoint is the region's Spaces endpoint."
  }
  assert {
    condition     = output.vault_secret_path == "wildside/platform/dev/cnpg-backups"
    error_message = "The key lives under the cluster's KV prefix."
  }
  assert {
    condition     = output.vault_secret_keys == { access_key_id = "ACCESS_KEY_ID", secret_access_key = "ACCESS_SECRET_KEY" }
    error_message = "vault_secret_keys names both halves of the key."
  }
  assert {
    condition     = issensitive(vault_kv_secret_v2.backups.data_json)
    error_message = "The Spaces key is written to Vault as sensitive data."
  }
}

# Regression: coalesce() evaluated the generated name too and failed with "Invalid
# template interpolation value" as soon as bucket_name was set.
run "explicit_bucket_name" {
  command = apply
  variables {
    bucket_name = "acme-dev-backups"
  }

  assert {
    condition     = output.backups_bucket == "acme-dev-backups" && length(random_id.bucket_suffix) == 0
    error_message = "bucket_name is used as given, without a random suffix."
  }
}

# Regression: a lifecycle expiration of current objects deleted the only base backup.
run "the_bucket_never_expires_current_backups" {
  command = plan

  assert {
    condition     = alltrue([for rule in digitalocean_spaces_bucket.backups.lifecycle_rule : length(rule.expiration) == 0])
    error_message = "Current backup objects must not expire in the bucket (CNPG's retentionPolicy prunes them)."
  }
  assert {
    condition     = one(one(digitalocean_spaces_bucket.backups.lifecycle_rule).noncurrent_version_expiration).days == 7
    error_message = "Deleted or overwritten objects stay recoverable for noncurrent_retention_days."
  }
  assert {
    condition     = one(digitalocean_spaces_bucket.backups.versioning).enabled && digitalocean_spaces_bucket.backups.acl == "private"
    error_message = "The bucket is private and versioned."
  }
  assert {
    condition     = one(digitalocean_spaces_key.backups.grant).bucket == digitalocean_spaces_bucket.backups.name
    error_message = "The key is scoped to the backup bucket."
  }
}

run "rejects_a_bad_bucket_name" {
  command = plan
  variables {
    bucket_name = "Bad_Bucket"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_zero_noncurrent_retention" {
  command = plan
  variables {
    noncurrent_retention_days = 0
  }
  expect_failures = [var.noncurrent_retention_days]
}

# Every other validation, each with a value it must refuse.

run "refuses_an_invalid_cluster_name" {
  command = plan
  variables {
    cluster_name = "Dev"
  }
  expect_failures = [var.cluster_name]
}

run "refuses_an_invalid_region" {
  command = plan
  variables {
    region = "frankfurt"
  }
  expect_failures = [var.region]
}

run "refuses_an_invalid_template_database" {
  command = plan
  variables {
    template_database = "Wildside-Template"
  }
  expect_failures = [var.template_database]
}

run "refuses_an_invalid_vault_kv_mount" {
  command = plan
  variables {
    vault_kv_mount = "secret/kv"
  }
  expect_failures = [var.vault_kv_mount]
}

run "refuses_an_invalid_vault_kv_prefix" {
  command = plan
  variables {
    vault_kv_prefix = "/wildside/platform/dev"
  }
  expect_failures = [var.vault_kv_prefix]
}
