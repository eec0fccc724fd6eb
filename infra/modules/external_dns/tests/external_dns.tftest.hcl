# ExternalDNS's zone and its token in Vault KV, with mocked providers.

mock_provider "digitalocean" {}
mock_provider "vault" {}

variables {
  cluster_name           = "dev"
  vault_kv_prefix        = "wildside/platform/dev"
  dns_zone               = "example.com"
  digitalocean_api_token = "fake-token-for-tests"
}

run "existing_zone" {
  command = apply

  assert {
    condition     = length(digitalocean_domain.this) == 0 && output.zone_name == "example.com"
    error_message = "create_zone = false reads the existing zone."
  }
  assert {
    condition     = output.vault_secret_path == "wildside/platform/dev/external-dns" && output.vault_secret_key == "DO_TOKEN"
    error_message = "The token lives under the cluster's KV prefix."
  }
  assert {
    condition     = issensitive(vault_kv_secret_v2.token.data_json)
    error_message = "The token is written as sensitive data."
  }
  assert {
    condition     = output.txt_owner_id == "dev" && output.domain_filters == ["example.com"] && output.dns_provider == "digitalocean"
    error_message = "Owner ID, domain filters and provider."
  }
}

run "created_zone" {
  command = plan
  variables {
    create_zone = true
  }
  assert {
    condition     = length(digitalocean_domain.this) == 1 && length(data.digitalocean_domain.existing) == 0
    error_message = "create_zone = true creates the zone instead of reading it."
  }
}

run "rejects_an_empty_token" {
  command = plan
  variables {
    digitalocean_api_token = ""
  }
  expect_failures = [var.digitalocean_api_token]
}

run "rejects_a_bad_zone" {
  command = plan
  variables {
    dns_zone = "not a zone"
  }
  expect_failures = [var.dns_zone]
}

# Every other validation, each with a value it must refuse.

run "refuses_an_invalid_cluster_name" {
  command = plan
  variables {
    cluster_name = "Dev"
  }
  expect_failures = [var.cluster_name]
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
