# cert-manager's DNS-01 token in Vault KV and the CAA records, with mocked providers.

mock_provider "digitalocean" {}
mock_provider "vault" {}

variables {
  cluster_name           = "dev"
  vault_kv_prefix        = "wildside/platform/dev"
  dns_zone               = "example.com"
  preview_domain         = "previews.dev.example.com"
  acme_email             = "platform@example.com"
  digitalocean_api_token = "fake-token-for-tests"
}

run "issuer_certificate_and_caa" {
  command = apply

  assert {
    condition     = output.cluster_issuer_name == "letsencrypt-production" && output.acme_server == "https://acme-v02.api.letsencrypt.org/directory"
    error_message = "production issuer by default."
  }
  assert {
    condition     = output.wildcard_certificate_dns_names == ["previews.dev.example.com", "*.previews.dev.example.com"]
    error_message = "One wildcard certificate for the preview domain."
  }
  assert {
    condition     = toset(keys(digitalocean_record.caa)) == toset(["issue", "issuewild"]) && digitalocean_record.caa["issuewild"].name == "previews.dev"
    error_message = "CAA records allow Let's Encrypt to issue (wildcards included) for the preview domain."
  }
  assert {
    condition     = issensitive(vault_kv_secret_v2.token.data_json) && output.vault_secret_path == "wildside/platform/dev/cert-manager"
    error_message = "The DNS-01 token goes to Vault as sensitive data."
  }
}

run "staging_issuer" {
  command = plan
  variables {
    acme_environment = "staging"
  }
  assert {
    condition     = output.cluster_issuer_name == "letsencrypt-staging" && output.acme_server == "https://acme-staging-v02.api.letsencrypt.org/directory"
    error_message = "acme_environment = staging uses the staging directory."
  }
}

run "rejects_an_unknown_acme_environment" {
  command = plan
  variables {
    acme_environment = "test"
  }
  expect_failures = [var.acme_environment]
}

run "rejects_a_bad_email" {
  command = plan
  variables {
    acme_email = "platform"
  }
  expect_failures = [var.acme_email]
}

run "preview_domain_outside_the_zone_is_refused" {
  command = plan
  variables {
    preview_domain = "previews.example.org"
  }
  expect_failures = [digitalocean_record.caa]
}

# Every other validation, each with a value it must refuse.

run "refuses_an_invalid_cluster_name" {
  command = plan
  variables {
    cluster_name = "Dev"
  }
  expect_failures = [var.cluster_name]
}

run "refuses_an_invalid_digitalocean_api_token" {
  command = plan
  variables {
    digitalocean_api_token = ""
  }
  expect_failures = [var.digitalocean_api_token]
}

run "refuses_an_invalid_preview_domain" {
  command = plan
  variables {
    preview_domain = "not a domain"
  }
  expect_failures = [var.preview_domain]
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
