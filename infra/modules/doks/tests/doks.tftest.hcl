# Plans the doks module against the DigitalOcean provider's schema with
# mocked values (no credentials, no API): outputs, their sensitivity, the pools and the
# variable validations. Run with `tofu test` (tests/infra drives it). Every run is a plan:
# the cluster and its pools have prevent_destroy, which would fail the test's clean-up.

mock_provider "digitalocean" {
  mock_data "digitalocean_kubernetes_versions" {
    defaults = {
      latest_version = "1.36.3-do.0"
    }
  }
  mock_resource "digitalocean_kubernetes_cluster" {
    defaults = {
      endpoint = "https://0123.k8s.ondigitalocean.com"
      kube_config = [{
        raw_config             = "apiVersion: v1\nkind: Config\n"
        host                   = "https://0123.k8s.ondigitalocean.com"
        cluster_ca_certificate = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmZha2UKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="
        client_key             = ""
        client_certificate     = ""
        token                  = "fake-token-for-tests"
        expires_at             = "2030-01-01T00:00:00Z"
      }]
    }
  }
}

variables {
  cluster_name                = "dev"
  region                      = "fra1"
  control_plane_allowed_cidrs = ["203.0.113.0/24"]
}

# Regression: cluster_ca_certificate derives from the sensitive kube_config; without
# nonsensitive() every plan fails with "Output refers to sensitive values".
run "outputs_and_their_sensitivity" {
  command = plan

  assert {
    condition     = output.cluster_ca_certificate == "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n"
    error_message = "cluster_ca_certificate must be the decoded PEM of kube_config."
  }
  assert {
    condition     = !issensitive(output.cluster_ca_certificate)
    error_message = "cluster_ca_certificate is public and must not be sensitive."
  }
  assert {
    condition     = output.kubeconfig == null
    error_message = "kubeconfig is null unless expose_kubeconfig."
  }
  assert {
    condition     = output.endpoint == "https://0123.k8s.ondigitalocean.com"
    error_message = "endpoint comes from the cluster."
  }
}

run "kubeconfig_is_exposed_only_on_request_and_stays_sensitive" {
  command = plan
  variables {
    expose_kubeconfig = true
  }
  assert {
    condition     = issensitive(output.kubeconfig) && nonsensitive(output.kubeconfig) == "apiVersion: v1\nkind: Config\n"
    error_message = "kubeconfig must be the raw config, marked sensitive."
  }
}

run "three_pools_previews_tainted_and_scaling_to_zero" {
  command = plan

  assert {
    condition     = digitalocean_kubernetes_node_pool.previews.min_nodes == 0 && digitalocean_kubernetes_node_pool.previews.auto_scale
    error_message = "The previews pool autoscales from zero."
  }
  assert {
    condition     = one(digitalocean_kubernetes_node_pool.previews.taint).key == "wildside.dev/preview"
    error_message = "The previews pool is tainted."
  }
  assert {
    condition     = output.preview_node_selector == { "wildside.dev/pool" = "previews" }
    error_message = "preview_node_selector selects the previews pool label."
  }
  assert {
    condition     = output.preview_tolerations[0].effect == "NoSchedule"
    error_message = "preview_tolerations tolerate the taint."
  }
  assert {
    condition     = one(digitalocean_kubernetes_cluster.this.node_pool).labels["wildside.dev/pool"] == "core"
    error_message = "The default pool is the core pool."
  }
}

run "kubernetes_minor_and_control_plane_firewall" {
  command = plan

  assert {
    condition     = data.digitalocean_kubernetes_versions.this.version_prefix == "1.36."
    error_message = "The default Kubernetes minor is 1.36 (the version the live-cluster harness runs)."
  }
  assert {
    condition     = one(digitalocean_kubernetes_cluster.this.control_plane_firewall).enabled && one(digitalocean_kubernetes_cluster.this.control_plane_firewall).allowed_addresses == tolist(["203.0.113.0/24"])
    error_message = "The control-plane firewall admits only control_plane_allowed_cidrs."
  }
  assert {
    condition     = digitalocean_kubernetes_cluster.this.destroy_all_associated_resources == false
    error_message = "Deleting the cluster must not delete its volumes and load balancers."
  }
}

run "rejects_an_empty_control_plane_allow_list" {
  command = plan
  variables {
    control_plane_allowed_cidrs = []
  }
  expect_failures = [var.control_plane_allowed_cidrs]
}

run "rejects_a_bad_cluster_name" {
  command = plan
  variables {
    cluster_name = "Dev_1"
  }
  expect_failures = [var.cluster_name]
}

run "rejects_a_bad_version_prefix" {
  command = plan
  variables {
    kubernetes_version_prefix = "1.36"
  }
  expect_failures = [var.kubernetes_version_prefix]
}

run "rejects_core_pool_scaling_to_zero" {
  command = plan
  variables {
    node_pools = { core = { node_count = 0 } }
  }
  expect_failures = [var.node_pools]
}

# Every other validation, each with a value it must refuse.

run "refuses_an_invalid_maintenance_window" {
  command = plan
  variables {
    maintenance_window = { day = "funday", start_time = "03:00" }
  }
  expect_failures = [var.maintenance_window]
}

run "refuses_an_invalid_preview_pool_taint" {
  command = plan
  variables {
    preview_pool_taint = { key = "wildside.dev/preview", value = "true", effect = "Never" }
  }
  expect_failures = [var.preview_pool_taint]
}

run "refuses_an_invalid_region" {
  command = plan
  variables {
    region = "frankfurt"
  }
  expect_failures = [var.region]
}

run "refuses_an_invalid_vpc_ip_range" {
  command = plan
  variables {
    vpc_ip_range = "10.110.0.0/28"
  }
  expect_failures = [var.vpc_ip_range]
}
