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

variable "region" {
  description = "Spaces region of the backup bucket (a DigitalOcean region with Spaces, e.g. \"fra1\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{3}[0-9]$", var.region))
    error_message = "region must be a DigitalOcean region slug such as \"fra1\"."
  }
}

variable "bucket_name" {
  description = "Name of the backup bucket. Null: \"<cluster_name>-cnpg-backups-<random suffix>\" (Spaces bucket names are global)."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 lowercase letters, digits and hyphens."
  }
}

variable "noncurrent_retention_days" {
  description = "Days a backup object that barman deleted or overwrote stays recoverable (as a noncurrent version) before the bucket removes it. Current backups never expire in the bucket: CloudNativePG's retentionPolicy prunes them and keeps the latest base backup."
  type        = number
  default     = 7

  validation {
    condition     = var.noncurrent_retention_days >= 1
    error_message = "noncurrent_retention_days must be at least 1."
  }
}

variable "force_destroy" {
  description = "Allow `tofu destroy` to delete a bucket that still holds backups."
  type        = bool
  default     = false
}

variable "namespace" {
  description = "Namespace the shared PostgreSQL cluster runs in."
  type        = string
  default     = "databases"
}

variable "postgres_cluster_name" {
  description = "Name of the shared CloudNativePG Cluster."
  type        = string
  default     = "previews-pg"
}

variable "template_database" {
  description = "Name of the seeded template database that previews are cloned from (CREATE DATABASE ... TEMPLATE)."
  type        = string
  default     = "wildside_template"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.template_database))
    error_message = "template_database must be a lowercase PostgreSQL identifier."
  }
}
