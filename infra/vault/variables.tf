variable "environment" {
  description = "Environment the appliance serves; resources are named wildside-<environment> and the droplets are tagged wildside-<environment>-vault, which `wildside vault bootstrap --environment <environment>` discovers."
  type        = string
  default     = "shared"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,20}[a-z0-9]$", var.environment))
    error_message = "environment must be a short DNS label."
  }
}

variable "region" {
  description = "DigitalOcean region slug of the appliance, for example \"fra1\"."
  type        = string
}

variable "vpc_ip_range" {
  description = "Private IPv4 range of the appliance VPC; must not overlap the cluster VPCs of the same region."
  type        = string
  default     = "10.120.0.0/24"

  validation {
    condition     = can(cidrhost(var.vpc_ip_range, 0))
    error_message = "vpc_ip_range must be an IPv4 CIDR block."
  }
}

variable "node_count" {
  description = "Number of OpenBao nodes: 1, 3 or 5."
  type        = number
  default     = 1

  validation {
    condition     = contains([1, 3, 5], var.node_count)
    error_message = "node_count must be 1, 3 or 5 (a Raft quorum)."
  }
}

variable "droplet_size" {
  description = "Droplet size slug of each node."
  type        = string
  default     = "s-2vcpu-4gb"
}

variable "ssh_key_fingerprints" {
  description = "Fingerprints of SSH keys uploaded to DigitalOcean that may log in to the nodes."
  type        = list(string)
}

variable "admin_cidrs" {
  description = "CIDR blocks allowed to reach the nodes directly (SSH and API)."
  type        = list(string)
  default     = []
}

variable "lb_allowed_cidrs" {
  description = "CIDR blocks allowed to reach the load balancer: the clusters' egress addresses, CI and operators. No default; [\"0.0.0.0/0\"] opens it deliberately."
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

variable "openbao_version" {
  description = "OpenBao release to install."
  type        = string
  default     = "2.5.4"
}

variable "openbao_package_sha256" {
  description = "SHA-256 of openbao_<version>_linux_amd64.deb from the release's checksum file."
  type        = string
}

variable "hostname" {
  description = "DNS name of the appliance (e.g. \"vault.example.com\"); null means clients use the load balancer IP."
  type        = string
  default     = null
}

variable "dns_zone" {
  description = "DigitalOcean-managed zone in which to create the hostname's A record; null to manage it elsewhere."
  type        = string
  default     = null
}
