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

variable "namespace" {
  description = "Namespace the shared Redis-compatible (Valkey) instance runs in."
  type        = string
  default     = "redis"
}

variable "name" {
  description = "Name of the Redis-compatible (Valkey) instance and of its Service."
  type        = string
  default     = "valkey"

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", var.name))
    error_message = "name must be a valid Kubernetes resource name."
  }
}

variable "password_length" {
  description = "Length of the generated password."
  type        = number
  default     = 40

  validation {
    condition     = var.password_length >= 24
    error_message = "password_length must be at least 24."
  }
}

variable "password_rotation" {
  description = "Change this value (e.g. to a date) to generate a new password on the next apply."
  type        = string
  default     = "initial"
}
