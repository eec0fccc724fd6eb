# The identity guard keeps state: it records the cluster name and the gate of the first
# apply and refuses another cluster's variables and a true -> false flip of the gate.
# Only the guard is applied (target), so nothing with prevent_destroy enters the state.

mock_provider "digitalocean" {
  mock_data "digitalocean_kubernetes_versions" {
    defaults = {
      latest_version = "1.36.3-do.0"
    }
  }
  mock_resource "digitalocean_kubernetes_cluster" {
    defaults = {
      id       = "11111111-1111-4111-8111-111111111111"
      endpoint = "https://11111111.k8s.ondigitalocean.com"
      kube_config = [{
        raw_config             = "apiVersion: v1\nkind: Config\n"
        host                   = "https://11111111.k8s.ondigitalocean.com"
        cluster_ca_certificate = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmZha2UKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="
        client_key             = ""
        client_certificate     = ""
        token                  = "fake-token-for-tests"
        expires_at             = "2030-01-01T00:00:00Z"
      }]
    }
  }
  mock_resource "digitalocean_loadbalancer" {
    defaults = {
      ip = "203.0.113.30"
    }
  }
}
mock_provider "vault" {}
mock_provider "helm" {}
mock_provider "kubernetes" {}
mock_provider "random" {}
mock_provider "tls" {}

variables {
  cluster_name                = "production"
  region                      = "fra1"
  base_domain                 = "example.com"
  preview_domain              = "previews.example.com"
  acme_email                  = "platform@example.com"
  platform_repository_url     = "ssh://git@github.com/example/wildside-infra.git"
  vault_address               = "https://vault.example.com"
  vault_ca_cert_pem           = "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n"
  control_plane_allowed_cidrs = ["203.0.113.0/24"]
  state_passphrase            = "correct horse battery staple (tests only)"
  dns_api_token               = "fake-token-for-tests"
  should_create_cluster       = true
  install_flux                = true
}

run "record_a_created_cluster" {
  command = apply
  plan_options {
    target = [terraform_data.cluster_identity]
  }
  assert {
    condition     = terraform_data.cluster_identity.output == { name = "production", created = true }
    error_message = "The guard records the name and that the cluster was created."
  }
}

run "the_same_cluster_plans" {
  command = plan
}

# Regression: should_create_cluster defaulted to false, and an apply without it
# destroyed the cluster. Now the flip is refused.
run "refuses_switching_the_gate_off" {
  command = plan
  variables {
    should_create_cluster = false
    install_flux          = false
  }
  expect_failures = [terraform_data.cluster_identity]
}

run "refuses_another_clusters_variables" {
  command = plan
  variables {
    cluster_name = "staging"
  }
  expect_failures = [terraform_data.cluster_identity]
}
