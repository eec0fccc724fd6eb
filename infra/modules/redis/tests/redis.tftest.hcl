# The cache password, generated and written to Vault KV, with mocked providers.

mock_provider "vault" {}
mock_provider "random" {}

variables {
  cluster_name    = "dev"
  vault_kv_prefix = "wildside/platform/dev"
}

run "password_in_vault" {
  command = apply

  assert {
    condition     = output.host == "valkey.redis.svc.cluster.local" && output.port == 6379
    error_message = "In-cluster address of the cache."
  }
  assert {
    condition     = output.vault_secret_path == "wildside/platform/dev/redis" && output.vault_secret_key == "password"
    error_message = "The password lives under the cluster's KV prefix."
  }
  assert {
    condition     = random_password.this.length == 40 && random_password.this.special == false
    error_message = "A 40-character password without URL-hostile characters."
  }
  assert {
    condition     = issensitive(vault_kv_secret_v2.this.data_json)
    error_message = "The password is written as sensitive data."
  }
}

run "rejects_a_short_password" {
  command = plan
  variables {
    password_length = 16
  }
  expect_failures = [var.password_length]
}

run "rejects_a_bad_kv_prefix" {
  command = plan
  variables {
    vault_kv_prefix = "/leading/slash"
  }
  expect_failures = [var.vault_kv_prefix]
}

# Every other validation, each with a value it must refuse.

run "refuses_an_invalid_cluster_name" {
  command = plan
  variables {
    cluster_name = "Dev"
  }
  expect_failures = [var.cluster_name]
}

run "refuses_an_invalid_name" {
  command = plan
  variables {
    name = "Valkey"
  }
  expect_failures = [var.name]
}

run "refuses_an_invalid_vault_kv_mount" {
  command = plan
  variables {
    vault_kv_mount = "secret/kv"
  }
  expect_failures = [var.vault_kv_mount]
}
