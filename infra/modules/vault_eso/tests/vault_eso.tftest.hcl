# The Vault side of External Secrets: auth mount, config, read-only policy and role.

mock_provider "vault" {}

variables {
  cluster_name       = "dev"
  vault_kv_prefix    = "wildside/platform/dev"
  kubernetes_host    = "https://0123.k8s.ondigitalocean.com"
  kubernetes_ca_cert = "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n"
}

run "mount_and_role_binding_the_pre_created_policy" {
  command = apply

  assert {
    condition     = output.auth_mount_path == "kubernetes-dev" && vault_auth_backend.kubernetes.type == "kubernetes"
    error_message = "One Kubernetes auth mount per cluster."
  }
  # The operator token may not write policies (that is how a token escalates), so by
  # default the role binds the policy `wildside vault bootstrap` created.
  assert {
    condition     = length(vault_policy.read) == 0 && output.policy_name == "wildside-external-secrets"
    error_message = "No policy is written unless create_policy."
  }
  assert {
    condition     = vault_generic_endpoint.eso_role.path == "auth/kubernetes-dev/role/external-secrets" && jsondecode(vault_generic_endpoint.eso_role.data_json).bound_service_account_names == ["external-secrets"]
    error_message = "Only External Secrets' service account logs in."
  }
  # One string, never a list: the operator policy admits exactly this string.
  assert {
    condition     = jsondecode(vault_generic_endpoint.eso_role.data_json).token_policies == "wildside-external-secrets"
    error_message = "The role binds exactly policy_name, sent as the single string the operator policy allows."
  }
  assert {
    condition     = strcontains(output.policy_hcl, "path \"secret/data/wildside/platform/dev/*\"") && !strcontains(output.policy_hcl, "\"update\"") && !strcontains(output.policy_hcl, "sudo")
    error_message = "policy_hcl (for pre-creating a per-cluster policy) only reads the cluster's, the apps' and the previews' secrets."
  }
}

run "a_per_cluster_policy_on_request" {
  command = apply
  variables {
    policy_name   = "wildside-external-secrets-dev"
    create_policy = true
  }
  assert {
    condition     = vault_policy.read[0].name == "wildside-external-secrets-dev" && vault_policy.read[0].policy == output.policy_hcl
    error_message = "create_policy writes policy_hcl under policy_name."
  }
}

run "rejects_a_policy_the_operator_may_not_bind" {
  command = plan
  variables {
    policy_name = "admin"
  }
  expect_failures = [var.policy_name]
}

run "rejects_a_plain_http_api_server" {
  command = plan
  variables {
    kubernetes_host = "http://0123.k8s.ondigitalocean.com"
  }
  expect_failures = [var.kubernetes_host]
}

run "rejects_a_ca_that_is_no_pem" {
  command = plan
  variables {
    kubernetes_ca_cert = "not a certificate"
  }
  expect_failures = [var.kubernetes_ca_cert]
}

run "rejects_token_ttls_out_of_range" {
  command = plan
  variables {
    token_ttl_seconds = 60
  }
  expect_failures = [var.token_ttl_seconds]
}

# Every other validation, each with a value it must refuse.

run "refuses_an_invalid_cluster_name" {
  command = plan
  variables {
    cluster_name = "Dev"
  }
  expect_failures = [var.cluster_name]
}

run "refuses_an_invalid_extra_read_prefixes" {
  command = plan
  variables {
    extra_read_prefixes = ["/wildside/apps"]
  }
  expect_failures = [var.extra_read_prefixes]
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
