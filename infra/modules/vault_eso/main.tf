# What External Secrets Operator of one cluster needs inside OpenBao: a Kubernetes auth
# mount of its own (one appliance serves several clusters, and a mount can verify tokens
# of one cluster only), and a role binding a pre-created read-only policy to the ESO
# service account (optionally the policy itself, create_policy). The
# ClusterSecretStore is rendered by `wildside platform render` from this module's outputs.
#
# `wildside vault bootstrap` manages the single-cluster `kubernetes` mount; this module
# never touches it, so the two cannot fight over the same objects.

locals {
  auth_path   = coalesce(var.auth_mount_path, "kubernetes-${var.cluster_name}")
  policy_name = var.policy_name
  # Read only, data only: the secret at each path and below it. No metadata list, so a
  # cluster cannot enumerate what it may not read (`find` is not used by wildside).
  policy_hcl = join("\n", [
    for prefix in local.read_prefixes : <<-EOT
      path "${var.vault_kv_mount}/data/${prefix}" {
        capabilities = ["read"]
      }
      path "${var.vault_kv_mount}/data/${prefix}/*" {
        capabilities = ["read"]
      }
    EOT
  ])
  read_prefixes = concat([var.vault_kv_prefix], var.extra_read_prefixes)
}

resource "vault_auth_backend" "kubernetes" {
  type        = "kubernetes"
  path        = local.auth_path
  description = "Service accounts of the ${var.cluster_name} cluster (managed by OpenTofu)."
}

resource "vault_kubernetes_auth_backend_config" "this" {
  backend            = vault_auth_backend.kubernetes.path
  kubernetes_host    = var.kubernetes_host
  kubernetes_ca_cert = var.kubernetes_ca_cert
  # OpenBao runs outside the cluster: no local service account token to fall back on, so
  # the caller's own JWT is used for the TokenReview (no long-lived reviewer token in state).
  disable_local_ca_jwt = true
}

# Only with create_policy: writing policies is what lets a token grant itself anything,
# so by default the role binds a policy created beforehand with a privileged token
# (`wildside vault bootstrap` creates wildside-external-secrets).
resource "vault_policy" "read" {
  count  = var.create_policy ? 1 : 0
  name   = local.policy_name
  policy = local.policy_hcl
}

# The role is written as a plain endpoint, with token_policies as one string: the
# operator token may set exactly that string (allowed_parameters in
# infra/vault/tofu-operator-policy.hcl). The typed role resource sends a list, which
# OpenBao's allowed_parameters can never accept, and allowing the parameter freely (or by
# glob, which a comma-separated value like "<allowed>,admin" passes) lets the token bind
# any policy. Read-back is off: OpenBao returns the string as a list, which would show as
# a change on every plan; the write is idempotent.
resource "vault_generic_endpoint" "eso_role" {
  path                 = "auth/${vault_auth_backend.kubernetes.path}/role/${var.role_name}"
  disable_read         = true
  ignore_absent_fields = true
  data_json = jsonencode({
    bound_service_account_names      = [var.service_account]
    bound_service_account_namespaces = [var.namespace]
    token_policies                   = local.policy_name
    token_ttl                        = var.token_ttl_seconds
    token_max_ttl                    = var.token_ttl_seconds * 4
  })

  depends_on = [vault_kubernetes_auth_backend_config.this, vault_policy.read]
}

# Earlier versions managed the role as vault_kubernetes_auth_backend_role. Forget that
# object instead of deleting it: the endpoint above writes the same path, and a delete
# ordered after that write would leave External Secrets without a role.
removed {
  from = vault_kubernetes_auth_backend_role.eso

  lifecycle {
    destroy = false
  }
}
