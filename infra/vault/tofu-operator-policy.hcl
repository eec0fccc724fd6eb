# OpenBao policy for the token that applies infra/clusters (VAULT_TOKEN).
# Install once with a privileged token:
#   bao policy write wildside-tofu infra/vault/tofu-operator-policy.hcl
#   export VAULT_TOKEN=$(bao token create -orphan -policy=wildside-tofu -ttl=3h -field=token)
# It covers exactly what the cluster root manages: per-cluster Kubernetes auth mounts,
# their config and External Secrets roles, and platform secrets under wildside/platform/.
# It cannot write policies, and roles may bind only the External Secrets policies.

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

# Config of the per-cluster mounts. A glob, not "+": "+" matches a whole path segment
# only, so "kubernetes-+" would match nothing.
path "auth/kubernetes-*/config" {
  capabilities = ["create", "read", "update", "delete"]
}

# Roles of the per-cluster mounts, which may bind only the pre-created read-only
# External Secrets policies: a role binding any other policy is refused, so this token
# cannot log in to more than it was given. It writes no policy at all (writing one is
# enough to grant oneself everything); `wildside vault bootstrap` creates
# wildside-external-secrets, and per-cluster ones are created with a privileged token.
path "auth/kubernetes-*/role/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
  allowed_parameters = {
    "token_policies" = ["wildside-external-secrets", "wildside-external-secrets-*"]
    "policies"       = ["wildside-external-secrets", "wildside-external-secrets-*"]
    "*"              = []
  }
}

path "auth/kubernetes-*/role" {
  capabilities = ["list"]
}

# Platform secrets of every cluster (tokens, Spaces keys, the cache password).
path "secret/data/wildside/platform/*" {
  capabilities = ["create", "read", "update", "delete"]
}

path "secret/metadata/wildside/platform/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
