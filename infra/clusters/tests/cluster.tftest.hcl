# The cluster root planned with mocked providers: the gate, the two phases (cluster, then
# Flux), the outputs the renderer reads and the variable validations. Plans only: the
# cluster has prevent_destroy, which would fail the test's clean-up.

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
  cluster_name                = "dev"
  region                      = "fra1"
  base_domain                 = "example.com"
  preview_domain              = "previews.dev.example.com"
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

run "gate_off_plans_nothing_but_the_identity_guard" {
  command = plan
  variables {
    should_create_cluster = false
    install_flux          = false
    dns_api_token         = null
  }

  assert {
    condition     = length(module.doks) == 0 && length(module.fluxcd) == 0 && length(module.cnpg) == 0 && length(data.digitalocean_kubernetes_cluster.flux_target) == 0
    error_message = "With the gate off nothing but the identity guard is planned."
  }
  assert {
    condition     = output.cluster_id == null && output.flux_git_source_name == null && output.cluster_name == "dev"
    error_message = "Module outputs are null while the gate is off."
  }
}

# Phase one: the cluster and everything else, but not Flux, whose providers need a
# cluster that exists before the plan starts.
run "phase_one_creates_the_cluster_without_flux" {
  command = plan
  variables {
    install_flux = false
  }

  # The check block reminds the operator of phase two on every plan until it is on.
  expect_failures = [check.flux_is_installed]

  assert {
    condition     = length(module.doks) == 1 && length(module.fluxcd) == 0 && length(data.digitalocean_kubernetes_cluster.flux_target) == 0
    error_message = "install_flux = false creates the cluster and leaves Flux for phase two."
  }
  # Regression: cluster_ca_certificate derived from the sensitive kube_config; the first
  # plan with the cluster enabled failed with "Output refers to sensitive values".
  assert {
    condition     = output.cluster_ca_certificate == "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n" && !issensitive(output.cluster_ca_certificate)
    error_message = "cluster_ca_certificate is the public PEM, not sensitive."
  }
  assert {
    condition     = output.kubeconfig == null
    error_message = "No kubeconfig unless expose_kubeconfig."
  }
  assert {
    condition     = output.kubernetes_version == "1.36.3-do.0" && output.cluster_endpoint == "https://11111111.k8s.ondigitalocean.com"
    error_message = "Cluster outputs for the renderer."
  }
  assert {
    condition     = output.preview_wildcard_hostname == "*.previews.dev.example.com" && output.traefik_load_balancer_ip == "203.0.113.30"
    error_message = "Traefik outputs for the renderer."
  }
  assert {
    condition     = output.vault_kv_prefix == "wildside/platform/dev" && output.external_secrets_vault_auth_mount == "kubernetes-dev"
    error_message = "Vault outputs for the renderer."
  }
  assert {
    condition     = output.flux_git_source_name == null && output.flux_path == null
    error_message = "Flux outputs are null until phase two."
  }
}

run "phase_two_installs_flux_into_the_existing_cluster" {
  command = plan

  override_data {
    target = data.digitalocean_kubernetes_cluster.flux_target
    values = {
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

  assert {
    condition     = length(module.fluxcd) == 1 && data.digitalocean_kubernetes_cluster.flux_target[0].name == "dev"
    error_message = "Phase two installs Flux into the cluster looked up by name."
  }
  # Regression: the renderer's sourceRef is flux_git_source_name, which must be the name
  # the flux2-sync chart gives the GitRepository (its release name).
  assert {
    condition     = output.flux_git_source_name == "flux-system" && output.flux_path == "clusters/dev" && output.flux_namespace == "flux-system"
    error_message = "The renderer reads the Flux source name, path and namespace."
  }
  assert {
    condition     = output.flux_git_repository_url == "ssh://git@github.com/example/wildside-infra.git" && output.flux_git_branch == "main"
    error_message = "The renderer reads the repository Flux follows."
  }
}

run "install_flux_needs_the_gate" {
  command = plan
  variables {
    should_create_cluster = false
    install_flux          = true
  }
  expect_failures = [var.install_flux]
}

run "the_dns_token_is_required_with_the_gate" {
  command = plan
  variables {
    dns_api_token = null
  }
  expect_failures = [var.dns_api_token]
}

run "vault_address_must_be_https" {
  command = plan
  variables {
    vault_address = "http://vault.example.com"
  }
  expect_failures = [var.vault_address]
}

run "vault_ca_must_be_a_pem_certificate" {
  command = plan
  variables {
    vault_ca_cert_pem = "not a certificate"
  }
  expect_failures = [var.vault_ca_cert_pem]
}

run "state_passphrase_must_be_long" {
  command = plan
  variables {
    state_passphrase = "short"
  }
  expect_failures = [var.state_passphrase]
}

run "vault_tokens_outlive_an_apply" {
  command = plan
  variables {
    vault_token_ttl_seconds = 1200
  }
  expect_failures = [var.vault_token_ttl_seconds]
}

run "rejects_a_bad_cluster_name" {
  command = plan
  variables {
    cluster_name = "Production!"
  }
  expect_failures = [var.cluster_name]
}
