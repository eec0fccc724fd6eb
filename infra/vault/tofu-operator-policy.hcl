# OpenBao policy for the token that applies infra/clusters (VAULT_TOKEN).
# Install once with a privileged token:
#   bao policy write wildside-tofu infra/vault/tofu-operator-policy.hcl
#   export VAULT_TOKEN=$(bao token create -orphan -policy=wildside-tofu -ttl=3h -field=token)
# It covers exactly what the cluster root manages: each cluster's Kubernetes auth mount
# (kubernetes-<cluster>), its config and its External Secrets role, and the platform
# secrets under wildside/platform/. It cannot write policies, mount any other kind of auth
# method, or bind any policy but the cluster's own pre-created External Secrets policy,
# so it cannot grant itself more than it holds.
#
# Why each cluster is spelled out: in a policy path "*" is a glob only at the end and "+"
# stands for one whole segment, so "auth/kubernetes-*/role/x" matches nothing and
# "auth/+/config" would reach every auth method's config. A new cluster directory under
# infra/clusters/ needs its block here (tests/infra checks that they agree).
#
# Why token_policies is an exact string: allowed_parameters compares a list value as a
# whole (never accepted) and a glob such as "wildside-external-secrets-*" also accepts
# "wildside-external-secrets-x,admin", which binds admin. The vault_eso module therefore
# writes the role with token_policies as this one string.

# The vault provider creates a short-lived child token for each run (OpenBao keeps its
# policies a subset of this token's).
path "auth/token/create" {
  capabilities = ["update"]
}

path "auth/token/lookup-self" {
  capabilities = ["read"]
}

path "sys/auth" {
  capabilities = ["read"]
}

# Platform secrets of every cluster (tokens, Spaces keys, the cache password).
path "secret/data/wildside/platform/*" {
  capabilities = ["create", "read", "update", "delete"]
}

path "secret/metadata/wildside/platform/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

# --- cluster dev ---
path "sys/auth/kubernetes-dev" {
  capabilities = ["create", "read", "update", "delete", "sudo"]
  allowed_parameters = {
    "type" = ["kubernetes"]
    "*"    = []
  }
}

path "sys/mounts/auth/kubernetes-dev" {
  capabilities = ["read"]
}

path "sys/mounts/auth/kubernetes-dev/tune" {
  capabilities = ["read", "update"]
}

path "auth/kubernetes-dev/config" {
  capabilities = ["create", "read", "update", "delete"]
}

path "auth/kubernetes-dev/role/external-secrets" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "token_policies" = ["wildside-external-secrets-dev"]
    "policies"       = ["wildside-external-secrets-dev"]
    "*"              = []
  }
}

# --- cluster staging ---
path "sys/auth/kubernetes-staging" {
  capabilities = ["create", "read", "update", "delete", "sudo"]
  allowed_parameters = {
    "type" = ["kubernetes"]
    "*"    = []
  }
}

path "sys/mounts/auth/kubernetes-staging" {
  capabilities = ["read"]
}

path "sys/mounts/auth/kubernetes-staging/tune" {
  capabilities = ["read", "update"]
}

path "auth/kubernetes-staging/config" {
  capabilities = ["create", "read", "update", "delete"]
}

path "auth/kubernetes-staging/role/external-secrets" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "token_policies" = ["wildside-external-secrets-staging"]
    "policies"       = ["wildside-external-secrets-staging"]
    "*"              = []
  }
}

# --- cluster production ---
path "sys/auth/kubernetes-production" {
  capabilities = ["create", "read", "update", "delete", "sudo"]
  allowed_parameters = {
    "type" = ["kubernetes"]
    "*"    = []
  }
}

path "sys/mounts/auth/kubernetes-production" {
  capabilities = ["read"]
}

path "sys/mounts/auth/kubernetes-production/tune" {
  capabilities = ["read", "update"]
}

path "auth/kubernetes-production/config" {
  capabilities = ["create", "read", "update", "delete"]
}

path "auth/kubernetes-production/role/external-secrets" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "token_policies" = ["wildside-external-secrets-production"]
    "policies"       = ["wildside-external-secrets-production"]
    "*"              = []
  }
}
