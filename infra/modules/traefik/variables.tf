variable "cluster_name" {
  description = "Name of the cluster this component belongs to."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.cluster_name))
    error_message = "cluster_name must be 3-40 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the cluster; the load balancer is created there."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{3}[0-9]$", var.region))
    error_message = "region must be a DigitalOcean region slug such as \"fra1\"."
  }
}

variable "vpc_id" {
  description = "ID of the cluster VPC; the load balancer must be in the same VPC as the nodes."
  type        = string
}

variable "dns_zone" {
  description = "DigitalOcean-managed DNS zone (e.g. \"example.com\") that contains preview_domain."
  type        = string
}

variable "preview_domain" {
  description = "Domain under which previews get their hostnames (e.g. \"preview.example.com\"); one wildcard record *.preview_domain points at the load balancer."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.preview_domain))
    error_message = "preview_domain must be a lowercase DNS name without a trailing dot."
  }
}

variable "load_balancer_size_unit" {
  description = "Size unit of the Traefik load balancer."
  type        = number
  default     = 1

  validation {
    condition     = var.load_balancer_size_unit >= 1 && var.load_balancer_size_unit <= 100
    error_message = "load_balancer_size_unit must be between 1 and 100."
  }
}

variable "namespace" {
  description = "Namespace the renderer installs Traefik into."
  type        = string
  default     = "traefik"
}

variable "ingress_class_name" {
  description = "IngressClass name Traefik serves."
  type        = string
  default     = "traefik"
}

variable "manage_wildcard_record" {
  description = "Create the wildcard record *.<preview_domain> here. Set false if ExternalDNS should own it (from the Traefik Service's external-dns hostname annotation) instead; never let both own it."
  type        = bool
  default     = true
}

variable "record_ttl" {
  description = "TTL in seconds of the wildcard DNS record."
  type        = number
  default     = 300

  validation {
    condition     = var.record_ttl >= 30
    error_message = "record_ttl must be at least 30 seconds."
  }
}
