variable "should_create_cluster" {
  description = "Gate for everything that costs money or needs the cluster, declared in every <cluster>/cluster.tfvars (no default, so an apply without it is refused). True creates or keeps the cluster; false plans nothing but the identity guard, which refuses false once the cluster was created."
  type        = bool
  nullable    = false
}

variable "install_flux" {
  description = "Phase two: install Flux into the existing cluster. Declared in <cluster>/cluster.tfvars; set it to false for a cluster's very first apply (the cluster does not exist yet), then true. Needs should_create_cluster."
  type        = bool
  nullable    = false

  validation {
    condition     = !var.install_flux || var.should_create_cluster
    error_message = "install_flux needs should_create_cluster = true."
  }
}

variable "control_plane_allowed_cidrs" {
  description = "CIDR blocks allowed to reach the Kubernetes API (DOKS control-plane firewall): where OpenTofu, CI and operators run kubectl, helm and doctl from."
  type        = list(string)
}

variable "state_passphrase" {
  description = "Passphrase of the enforced state and plan encryption (TF_VAR_state_passphrase, from your password manager; at least 16 characters). Losing it loses the state."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.state_passphrase) >= 16
    error_message = "state_passphrase must be at least 16 characters."
  }
}

variable "vault_token_ttl_seconds" {
  description = "Lifetime of the child token the vault provider uses for a run; sized to the longest apply (the token in VAULT_TOKEN must live at least as long)."
  type        = number
  default     = 7200

  validation {
    condition     = var.vault_token_ttl_seconds >= 1800
    error_message = "vault_token_ttl_seconds must be at least 1800 (an apply that creates a cluster takes longer than the provider's 20-minute default)."
  }
}

variable "cluster_name" {
  description = "Name of the cluster (dev, staging, production, ...). Also the Flux path clusters/<cluster_name> and the Vault KV prefix wildside/platform/<cluster_name>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.cluster_name))
    error_message = "cluster_name must be 3-40 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "DigitalOcean region slug of the cluster and its backup bucket, e.g. \"fra1\"."
  type        = string
}

variable "kubernetes_version_prefix" {
  description = "Kubernetes minor version, e.g. \"1.36.\"."
  type        = string
  default     = "1.36."
}

variable "ha_control_plane" {
  description = "Run the DOKS control plane in HA mode."
  type        = bool
  default     = true
}

variable "vpc_ip_range" {
  description = "Private IPv4 range of the cluster VPC (unique per region)."
  type        = string
  default     = "10.110.0.0/20"
}

variable "node_pools" {
  description = "Node pool sizing overrides (core, apps, previews); see the doks module for the defaults."
  type = object({
    core = optional(object({
      size       = optional(string)
      auto_scale = optional(bool)
      node_count = optional(number)
      min_nodes  = optional(number)
      max_nodes  = optional(number)
      labels     = optional(map(string), {})
    }), {})
    apps = optional(object({
      size       = optional(string)
      auto_scale = optional(bool)
      node_count = optional(number)
      min_nodes  = optional(number)
      max_nodes  = optional(number)
      labels     = optional(map(string), {})
    }), {})
    previews = optional(object({
      size      = optional(string)
      min_nodes = optional(number)
      max_nodes = optional(number)
      labels    = optional(map(string), {})
    }), {})
  })
  default  = {}
  nullable = false
}

variable "base_domain" {
  description = "DigitalOcean-managed DNS zone of the platform, e.g. \"example.com\"."
  type        = string
}

variable "preview_domain" {
  description = "Domain under which previews get hostnames, e.g. \"preview.example.com\" (a subdomain of base_domain)."
  type        = string
}

variable "create_dns_zone" {
  description = "Create base_domain in DigitalOcean DNS (true) or require it to exist already (false)."
  type        = bool
  default     = false
}

variable "acme_email" {
  description = "Contact e-mail of the Let's Encrypt account."
  type        = string
}

variable "acme_environment" {
  description = "Let's Encrypt environment: \"production\" or \"staging\"."
  type        = string
  default     = "production"
}

variable "dns_api_token" {
  description = "DigitalOcean API token with domain read/write scope for ExternalDNS and the cert-manager DNS-01 solver; written to Vault KV. Set TF_VAR_dns_api_token; required when should_create_cluster is true."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = !var.should_create_cluster || try(length(var.dns_api_token) > 0, false)
    error_message = "dns_api_token is required when should_create_cluster is true."
  }
}

variable "platform_repository_url" {
  description = "Clone URL of the platform GitOps repository (wildside-infra) Flux reconciles, e.g. \"ssh://git@github.com/acme/wildside-infra.git\"."
  type        = string
}

variable "platform_repository_branch" {
  description = "Branch of the platform repository Flux follows."
  type        = string
  default     = "main"
}

variable "flux_git_auth" {
  description = "How Flux authenticates to the platform repository: deploy_key, existing_secret or none (see the fluxcd module)."
  type        = string
  default     = "deploy_key"
}

variable "vault_address" {
  description = "HTTPS address of the OpenBao/Vault appliance (output vault_address of infra/vault)."
  type        = string

  validation {
    condition     = startswith(var.vault_address, "https://")
    error_message = "vault_address must be an https:// URL."
  }
}

variable "vault_ca_cert_pem" {
  description = "PEM CA certificate of the appliance (output vault_ca_cert_pem of infra/vault); passed on to the renderer for the ClusterSecretStore."
  type        = string

  validation {
    condition     = can(regex("-----BEGIN CERTIFICATE-----", var.vault_ca_cert_pem))
    error_message = "vault_ca_cert_pem must be a PEM certificate."
  }
}

variable "vault_kv_mount" {
  description = "KV version 2 mount created by `wildside vault bootstrap`."
  type        = string
  default     = "secret"
}

variable "expose_kubeconfig" {
  description = "Expose the admin kubeconfig as the sensitive kubeconfig output."
  type        = bool
  default     = false
}
