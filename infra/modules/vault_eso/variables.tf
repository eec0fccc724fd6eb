variable "cluster_name" {
  description = "Name of the cluster this component belongs to."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.cluster_name))
    error_message = "cluster_name must be 3-40 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "vault_kv_mount" {
  description = "Path of the KV version 2 secrets engine (enabled by `wildside vault bootstrap`)."
  type        = string
  default     = "secret"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+$", var.vault_kv_mount))
    error_message = "vault_kv_mount must be a single path segment."
  }
}

variable "vault_kv_prefix" {
  description = "Prefix inside the KV mount under which this cluster's secrets live, e.g. \"wildside/platform/dev\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$", var.vault_kv_prefix))
    error_message = "vault_kv_prefix must be a relative path without leading or trailing slashes."
  }
}

variable "kubernetes_host" {
  description = "HTTPS URL of the cluster's Kubernetes API; OpenBao calls its TokenReview API to verify service account tokens."
  type        = string

  validation {
    condition     = startswith(var.kubernetes_host, "https://")
    error_message = "kubernetes_host must be an https:// URL."
  }
}

variable "kubernetes_ca_cert" {
  description = "PEM CA certificate of the cluster's Kubernetes API."
  type        = string

  validation {
    condition     = can(regex("-----BEGIN CERTIFICATE-----", var.kubernetes_ca_cert))
    error_message = "kubernetes_ca_cert must be a PEM certificate."
  }
}

variable "auth_mount_path" {
  description = "Path of the Kubernetes auth method for this cluster. Null means \"kubernetes-<cluster_name>\" (one mount per cluster sharing the appliance)."
  type        = string
  default     = null
}

variable "namespace" {
  description = "Namespace External Secrets Operator runs in."
  type        = string
  default     = "external-secrets"
}

variable "service_account" {
  description = "Service account External Secrets authenticates as (it needs the system:auth-delegator ClusterRole, since OpenBao reviews the caller's own token)."
  type        = string
  default     = "external-secrets"
}

variable "role_name" {
  description = "Name of the Kubernetes auth role External Secrets logs in with."
  type        = string
  default     = "external-secrets"
}

variable "extra_read_prefixes" {
  description = "Further KV paths (inside vault_kv_mount, each with everything below it) External Secrets of this cluster may read: its own environment's app secrets (\"wildside/apps/<environment>\") and, only on the cluster that hosts previews, \"wildside/previews\". Default none: no cluster reads another environment's secrets by default."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.extra_read_prefixes : can(regex("^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$", p))])
    error_message = "extra_read_prefixes must be relative paths without leading or trailing slashes."
  }
}

variable "token_ttl_seconds" {
  description = "TTL of the OpenBao tokens issued to External Secrets."
  type        = number
  default     = 3600

  validation {
    condition     = var.token_ttl_seconds >= 300 && var.token_ttl_seconds <= 86400
    error_message = "token_ttl_seconds must be between 300 and 86400."
  }
}

variable "policy_name" {
  description = "Read-only policy the External Secrets role binds. The shared default grants nothing (`wildside vault bootstrap` keeps it inert); bind wildside-external-secrets-<cluster>, which `wildside vault bootstrap --cluster-config` pre-creates with exactly what the cluster syncs. For a per-cluster policy, create it beforehand with a privileged token from the policy_hcl output, or set create_policy."
  type        = string
  default     = "wildside-external-secrets"

  validation {
    condition     = can(regex("^wildside-external-secrets(-[a-z0-9-]+)?$", var.policy_name))
    error_message = "policy_name must be wildside-external-secrets or wildside-external-secrets-<suffix> (the only names the operator policy lets roles bind)."
  }
}

variable "create_policy" {
  description = "Create policy_name here from the cluster's prefixes. Needs a token that may write policies, which the operator policy (infra/vault/tofu-operator-policy.hcl) deliberately does not grant."
  type        = bool
  default     = false
}
