variable "name" {
  description = "Name of the appliance; prefixes droplets, volumes, the load balancer, the firewall and the tag."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "DigitalOcean region slug, for example \"fra1\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{3}[0-9]$", var.region))
    error_message = "region must be a DigitalOcean region slug such as \"fra1\"."
  }
}

variable "vpc_id" {
  description = "ID of the VPC the droplets and the load balancer join."
  type        = string
}

variable "node_count" {
  description = "Number of OpenBao nodes in the Raft cluster: 1 (single node) or 3/5 (HA; followers join the first node through retry_join)."
  type        = number
  default     = 1

  validation {
    condition     = contains([1, 3, 5], var.node_count)
    error_message = "node_count must be 1, 3 or 5 (Raft needs an odd number of voters)."
  }
}

variable "droplet_size" {
  description = "Droplet size slug for each node."
  type        = string
  default     = "s-2vcpu-4gb"
}

variable "droplet_image" {
  description = "Droplet image slug; the cloud-init script targets Ubuntu 24.04 (amd64)."
  type        = string
  default     = "ubuntu-24-04-x64"
}

variable "ssh_key_fingerprints" {
  description = "Fingerprints (or IDs) of SSH keys already uploaded to DigitalOcean that may log in as root; the bootstrap uses SSH to read node state."
  type        = list(string)

  validation {
    condition     = length(var.ssh_key_fingerprints) > 0
    error_message = "At least one SSH key is required; password logins are never enabled."
  }
}

variable "admin_cidrs" {
  description = "CIDR blocks allowed to reach the nodes directly on SSH (22) and the API (8200), e.g. your office or VPN egress. Everything else reaches OpenBao only through the load balancer."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.admin_cidrs : can(cidrhost(c, 0)) && !contains(["0.0.0.0/0", "::/0"], c)])
    error_message = "admin_cidrs must be valid CIDR blocks and must not be the whole internet."
  }
}

variable "lb_allowed_cidrs" {
  description = "CIDR blocks allowed to reach the load balancer (HTTPS 443): the clusters' egress addresses (for example their VPC NAT gateway), CI and operators. No default: list them; [\"0.0.0.0/0\"] opens the appliance to the internet deliberately."
  type        = list(string)

  validation {
    condition     = length(var.lb_allowed_cidrs) > 0 && alltrue([for c in var.lb_allowed_cidrs : can(cidrhost(c, 0))])
    error_message = "lb_allowed_cidrs must be a non-empty list of CIDR blocks."
  }
}

variable "lb_size_unit" {
  description = "Size unit of the load balancer (1 handles far more than a Vault appliance needs)."
  type        = number
  default     = 1

  validation {
    condition     = var.lb_size_unit >= 1 && var.lb_size_unit <= 100
    error_message = "lb_size_unit must be between 1 and 100."
  }
}

variable "volume_size_gib" {
  description = "Size of the block storage volume holding each node's Raft data, in GiB."
  type        = number
  default     = 10

  validation {
    condition     = var.volume_size_gib >= 1
    error_message = "volume_size_gib must be at least 1."
  }
}

variable "openbao_version" {
  description = "OpenBao release installed from its GitHub release .deb package."
  type        = string
  default     = "2.5.4"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.openbao_version))
    error_message = "openbao_version must be a release number such as \"2.5.4\"."
  }
}

variable "openbao_package_sha256" {
  description = "SHA-256 of openbao_<version>_linux_amd64.deb, from the release's checksum file. cloud-init refuses to install a package that does not match."
  type        = string

  validation {
    condition     = can(regex("^[a-f0-9]{64}$", var.openbao_package_sha256))
    error_message = "openbao_package_sha256 must be 64 lowercase hex characters."
  }
}

variable "hostname" {
  description = "DNS name clients use for OpenBao (e.g. \"vault.example.com\"). Included in the TLS certificate; null means clients use the load balancer IP."
  type        = string
  default     = null
}

variable "dns_zone" {
  description = "DigitalOcean-managed DNS zone in which to create an A record for hostname. Null: manage the record elsewhere."
  type        = string
  default     = null
}

variable "recovery_shares" {
  description = "Number of Shamir unseal key shares `wildside vault bootstrap` asks OpenBao to create."
  type        = number
  default     = 5

  validation {
    condition     = var.recovery_shares >= 1 && var.recovery_shares <= 10
    error_message = "recovery_shares must be between 1 and 10."
  }
}

variable "recovery_threshold" {
  description = "Number of shares needed to unseal; must not exceed recovery_shares."
  type        = number
  default     = 3

  validation {
    condition     = var.recovery_threshold >= 1 && var.recovery_threshold <= var.recovery_shares
    error_message = "recovery_threshold must be between 1 and recovery_shares."
  }
}

variable "tags" {
  description = "Extra DigitalOcean tags applied to droplets and volumes."
  type        = list(string)
  default     = []
}

variable "ui_enabled" {
  description = "Serve the OpenBao web UI. Off by default: the CLI, the bootstrap and External Secrets use the API only."
  type        = bool
  default     = false
}

variable "snapshot_schedule" {
  description = "When the active node saves a Raft snapshot to the snapshot bucket (a systemd OnCalendar expression)."
  type        = string
  default     = "hourly"
}

variable "snapshot_retention_days" {
  description = "Days older snapshots stay recoverable (noncurrent versions) in the snapshot bucket; the newest snapshot never expires."
  type        = number
  default     = 30

  validation {
    condition     = var.snapshot_retention_days >= 1
    error_message = "snapshot_retention_days must be at least 1."
  }
}

variable "snapshot_bucket_name" {
  description = "Name of the Spaces bucket for Raft snapshots. Null: \"<name>-raft-snapshots-<suffix>\" (bucket names are global)."
  type        = string
  default     = null

  validation {
    condition     = var.snapshot_bucket_name == null || can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.snapshot_bucket_name))
    error_message = "snapshot_bucket_name must be 3-63 lowercase letters, digits and hyphens."
  }
}

variable "certificate_validity_days" {
  description = "Validity of each node's server certificate. An apply within certificate_renewal_days of its end renews it (apply the vault root at least that often)."
  type        = number
  default     = 365

  validation {
    condition     = var.certificate_validity_days >= 30 && var.certificate_validity_days <= 825
    error_message = "certificate_validity_days must be between 30 and 825 (browsers' and most clients' limit)."
  }
}

variable "certificate_renewal_days" {
  description = "How many days before a node certificate expires an apply issues a new one (the node loads it within 15 minutes, without a restart)."
  type        = number
  default     = 60

  validation {
    condition     = var.certificate_renewal_days >= 7 && var.certificate_renewal_days < var.certificate_validity_days
    error_message = "certificate_renewal_days must be at least 7 and less than certificate_validity_days."
  }
}
