# OpenBao policy for the token that applies infra/clusters (VAULT_TOKEN).
# Install once with a privileged token:
#   bao policy write wildside-tofu infra/vault/tofu-operator-policy.hcl
#   export VAULT_TOKEN=$(bao token create -policy=wildside-tofu -ttl=1h -field=token)
# It covers exactly what the cluster root manages: per-cluster Kubernetes auth mounts,
# External Secrets policies and roles, and platform secrets under wildside/platform/.

# The vault provider creates a short-lived child token for each run.
path "auth/token/create" {
  capabilities = ["update"]
}

path "auth/token/lookup-self" {
  capabilities = ["read"]
}

# Per-cluster Kubernetes auth mounts (kubernetes-<cluster>), their config and roles.
path "sys/auth" {
  capabilities = ["read"]
}

path "sys/auth/kubernetes-*" {
  capabilities = ["create", "read", "update", "delete", "sudo"]
}

path "sys/mounts/auth/kubernetes-*" {
  capabilities = ["read", "update"]
}

# Config and roles of the per-cluster mounts. A glob, not "+": "+" matches a
# whole path segment only, so "kubernetes-+" would match nothing.
path "auth/kubernetes-*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

# The per-cluster External Secrets policies.
path "sys/policies/acl/wildside-external-secrets-*" {
  capabilities = ["create", "read", "update", "delete"]
}

# Platform secrets of every cluster (tokens, Spaces keys, the cache password).
path "secret/data/wildside/platform/*" {
  capabilities = ["create", "read", "update", "delete"]
}

path "secret/metadata/wildside/platform/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
