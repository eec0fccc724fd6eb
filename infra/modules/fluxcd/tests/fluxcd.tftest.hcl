# The Flux installation, planned with mocked providers (no cluster).

mock_provider "helm" {}
mock_provider "kubernetes" {}
mock_provider "tls" {
  mock_resource "tls_private_key" {
    defaults = {
      public_key_openssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE flux"
    }
  }
}

variables {
  cluster_name       = "dev"
  git_repository_url = "ssh://git@github.com/acme/wildside-infra.git"
}

# Regression: the flux2-sync chart names its GitRepository and Kustomization after the
# Helm release and ignores name values; the release was "flux2-sync" while the module
# told the renderer "flux-system", so no rendered Kustomization found its source.
run "the_source_is_named_what_the_renderer_references" {
  command = apply

  assert {
    condition     = helm_release.flux2_sync.name == "flux-system" && output.git_source_name == helm_release.flux2_sync.name
    error_message = "git_source_name must be the flux2-sync release name, which names the GitRepository and the Kustomization."
  }
  assert {
    condition     = !can(yamldecode(helm_release.flux2_sync.values[0]).gitRepository.name) && !can(yamldecode(helm_release.flux2_sync.values[0]).kustomization.name)
    error_message = "No name values: the chart ignores them for the GitRepository, which would split the names again."
  }
  assert {
    condition     = yamldecode(helm_release.flux2_sync.values[0]).kustomization.spec.path == "./clusters/dev"
    error_message = "Flux reconciles clusters/<cluster_name>."
  }
  assert {
    condition     = output.git_path == "clusters/dev" && output.namespace == "flux-system"
    error_message = "git_path and namespace outputs."
  }
  assert {
    condition     = yamldecode(helm_release.flux2_sync.values[0]).gitRepository.spec.secretRef.name == "flux-system" && length(kubernetes_secret_v1.git) == 1
    error_message = "deploy_key auth creates the Secret the GitRepository references."
  }
  assert {
    condition     = startswith(output.deploy_key_public, "ssh-ed25519 ")
    error_message = "The public deploy key is an output."
  }
}

run "a_custom_source_name_names_the_release" {
  command = plan
  variables {
    git_source_name = "platform"
  }
  assert {
    condition     = helm_release.flux2_sync.name == "platform" && output.git_source_name == "platform"
    error_message = "git_source_name names the release and so both Flux objects."
  }
}

run "flux_2_9_controllers" {
  command = plan

  assert {
    condition = (
      yamldecode(helm_release.flux2.values[0]).sourceController.tag == "v1.9.6" &&
      yamldecode(helm_release.flux2.values[0]).kustomizeController.tag == "v1.9.6" &&
      yamldecode(helm_release.flux2.values[0]).helmController.tag == "v1.6.4" &&
      yamldecode(helm_release.flux2.values[0]).notificationController.tag == "v1.9.0"
    )
    error_message = "The controllers are Flux 2.9's, the versions the live-cluster harness runs."
  }
  assert {
    condition     = yamldecode(helm_release.flux2.values[0]).imageAutomationController.create == false
    error_message = "Image automation (which writes to Git) stays off."
  }
}

run "public_repository_without_credentials" {
  command = plan
  variables {
    git_repository_url = "https://github.com/acme/wildside-infra.git"
    git_auth           = "none"
  }
  assert {
    condition     = output.git_secret_name == null && length(kubernetes_secret_v1.git) == 0 && !can(yamldecode(helm_release.flux2_sync.values[0]).gitRepository.spec.secretRef)
    error_message = "git_auth none creates and references no Secret."
  }
}

run "rejects_credentials_in_the_url" {
  command = plan
  variables {
    git_repository_url = "https://user:token@github.com/acme/wildside-infra.git"
  }
  expect_failures = [var.git_repository_url]
}

run "rejects_an_unknown_auth_mode" {
  command = plan
  variables {
    git_auth = "token"
  }
  expect_failures = [var.git_auth]
}

run "rejects_a_source_name_that_is_no_release_name" {
  command = plan
  variables {
    git_source_name = "Flux_System"
  }
  expect_failures = [var.git_source_name]
}

# Every other validation, each with a value it must refuse.

run "refuses_an_invalid_cluster_name" {
  command = plan
  variables {
    cluster_name = "Dev"
  }
  expect_failures = [var.cluster_name]
}

run "refuses_an_invalid_controller_tags" {
  command = plan
  variables {
    controller_tags = { source = "latest" }
  }
  expect_failures = [var.controller_tags]
}

run "refuses_an_invalid_git_path" {
  command = plan
  variables {
    git_path = "clusters dev"
  }
  expect_failures = [var.git_path]
}

run "refuses_an_invalid_namespace" {
  command = plan
  variables {
    namespace = "Flux_System"
  }
  expect_failures = [var.namespace]
}

run "refuses_an_invalid_sync_interval" {
  command = plan
  variables {
    sync_interval = "1 minute"
  }
  expect_failures = [var.sync_interval]
}
