# The appliance root planned with mocked providers. Plans only: the Raft volumes have
# prevent_destroy, which would fail the test's clean-up.

mock_provider "digitalocean" {
  mock_resource "digitalocean_loadbalancer" {
    defaults = {
      ip = "203.0.113.40"
    }
  }
  mock_resource "digitalocean_reserved_ip" {
    defaults = {
      ip_address = "198.51.100.8"
    }
  }
  mock_resource "digitalocean_spaces_key" {
    defaults = {
      access_key = "FAKEACCESSKEYFORTESTS"
      secret_key = "fake-secret-key-for-tests"
    }
  }
  mock_resource "digitalocean_droplet" {
    defaults = {
      id = "424242"
    }
  }
}
mock_provider "tls" {
  mock_resource "tls_self_signed_cert" {
    defaults = {
      cert_pem = "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n"
    }
  }
}

variables {
  region                 = "fra1"
  ssh_key_fingerprints   = ["aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99"]
  admin_cidrs            = ["203.0.113.0/24"]
  lb_allowed_cidrs       = ["203.0.113.0/24"]
  openbao_package_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
  state_passphrase       = "correct horse battery staple (tests only)"
}

run "outputs_for_the_bootstrap_and_the_clusters" {
  command = plan

  assert {
    condition     = output.vault_address == "https://203.0.113.40" && output.droplet_tag == "wildside-shared-vault"
    error_message = "Address and droplet tag of the appliance."
  }
  assert {
    condition     = !issensitive(output.vault_ca_cert_pem) && startswith(output.vault_ca_cert_pem, "-----BEGIN CERTIFICATE-----")
    error_message = "The CA certificate is public."
  }
  assert {
    condition     = output.node_api_addresses == ["https://198.51.100.8:8200"]
    error_message = "The bootstrap reaches each node directly."
  }
  assert {
    condition     = startswith(output.snapshot_bucket, "wildside-shared-raft-snapshots-")
    error_message = "Raft snapshots go to the appliance's own bucket."
  }
  assert {
    condition     = output.recovery_policy.custodian == "wildside vault bootstrap (its protected state store), never OpenTofu"
    error_message = "Recovery material never passes through OpenTofu."
  }
}

run "hostname_record_in_the_zone" {
  command = plan
  variables {
    hostname = "vault.example.com"
    dns_zone = "example.com"
  }
  assert {
    condition     = output.vault_address == "https://vault.example.com"
    error_message = "With a hostname clients use it."
  }
}

run "rejects_an_even_node_count" {
  command = plan
  variables {
    node_count = 4
  }
  expect_failures = [var.node_count]
}

run "state_passphrase_must_be_long" {
  command = plan
  variables {
    state_passphrase = "short"
  }
  expect_failures = [var.state_passphrase]
}

run "rejects_a_bad_environment_name" {
  command = plan
  variables {
    environment = "Shared Vault"
  }
  expect_failures = [var.environment]
}

# Every other validation, each with a value it must refuse.

run "refuses_an_invalid_vpc_ip_range" {
  command = plan
  variables {
    vpc_ip_range = "not-a-cidr"
  }
  expect_failures = [var.vpc_ip_range]
}
