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
  description = "DigitalOcean-managed DNS zone that contains preview_domain; DNS-01 challenges are answered there."
  type        = string
}

variable "preview_domain" {
  description = "Domain the wildcard certificate covers (the certificate is for preview_domain and *.preview_domain)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.preview_domain))
    error_message = "preview_domain must be a lowercase DNS name without a trailing dot."
  }
}

variable "acme_email" {
  description = "Contact e-mail registered with the ACME account (expiry notices)."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.acme_email))
    error_message = "acme_email must be an e-mail address."
  }
}

variable "acme_environment" {
  description = "Let's Encrypt environment: \"production\" (trusted certificates, strict rate limits) or \"staging\" (untrusted, generous limits)."
  type        = string
  default     = "production"

  validation {
    condition     = contains(["production", "staging"], var.acme_environment)
    error_message = "acme_environment must be \"production\" or \"staging\"."
  }
}

variable "digitalocean_api_token" {
  description = "DigitalOcean API token for the DNS-01 solver, scoped to domain read/write. Written to Vault KV only; pass it as TF_VAR_..., never in a file."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.digitalocean_api_token) > 0
    error_message = "digitalocean_api_token must not be empty."
  }
}

variable "manage_caa_records" {
  description = "Create CAA records on preview_domain that allow only Let's Encrypt to issue (including wildcards)."
  type        = bool
  default     = true
}

variable "namespace" {
  description = "Namespace the renderer installs cert-manager into."
  type        = string
  default     = "cert-manager"
}
