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

variable "dns_zone" {
  description = "DNS zone ExternalDNS manages, e.g. \"example.com\"."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.dns_zone))
    error_message = "dns_zone must be a lowercase DNS name without a trailing dot."
  }
}

variable "create_zone" {
  description = "Create the zone in DigitalOcean DNS. False: the zone must already exist there (it is looked up, so a typo fails the plan)."
  type        = bool
  default     = false
}

variable "digitalocean_api_token" {
  description = "DigitalOcean API token ExternalDNS uses, scoped to domain read/write. Written to Vault KV only; pass it as TF_VAR_..., never in a file."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.digitalocean_api_token) > 0
    error_message = "digitalocean_api_token must not be empty."
  }
}

variable "txt_owner_id" {
  description = "ExternalDNS TXT owner ID, which marks the records this cluster owns. Null means the cluster name."
  type        = string
  default     = null
}

variable "namespace" {
  description = "Namespace the renderer installs ExternalDNS into."
  type        = string
  default     = "external-dns"
}
