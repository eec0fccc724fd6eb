variable "cluster_name" {
  description = "Name of the DOKS cluster; also used as the prefix of the VPC and node pool names."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.cluster_name))
    error_message = "cluster_name must be 3-40 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "DigitalOcean region slug for the cluster and its VPC, for example \"fra1\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{3}[0-9]$", var.region))
    error_message = "region must be a DigitalOcean region slug such as \"fra1\" or \"nyc3\"."
  }
}

variable "kubernetes_version_prefix" {
  description = "Kubernetes minor version to run, as a prefix such as \"1.36.\"; the newest DOKS patch release of that minor is selected."
  type        = string
  default     = "1.36."

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.$", var.kubernetes_version_prefix))
    error_message = "kubernetes_version_prefix must look like \"1.36.\" (major.minor followed by a dot)."
  }
}

variable "vpc_ip_range" {
  description = "Private IPv4 range of the cluster VPC. Must not overlap another VPC in the same region (for example the Vault appliance VPC)."
  type        = string
  default     = "10.110.0.0/20"

  validation {
    condition     = can(cidrhost(var.vpc_ip_range, 0)) && tonumber(split("/", var.vpc_ip_range)[1]) <= 24
    error_message = "vpc_ip_range must be an IPv4 CIDR block of /24 or larger."
  }
}

variable "ha_control_plane" {
  description = "Run the DOKS control plane in high-availability mode (recommended for anything but throwaway clusters)."
  type        = bool
  default     = true
}

variable "auto_upgrade" {
  description = "Let DigitalOcean apply Kubernetes patch upgrades during the maintenance window."
  type        = bool
  default     = true
}

variable "surge_upgrade" {
  description = "Create replacement nodes before draining old ones during upgrades."
  type        = bool
  default     = true
}

variable "maintenance_window" {
  description = "Weekly maintenance window for upgrades: day (\"any\", \"monday\" ... \"sunday\") and UTC start time \"HH:MM\"."
  type = object({
    day        = string
    start_time = string
  })
  default = {
    day        = "sunday"
    start_time = "03:00"
  }

  validation {
    condition     = contains(["any", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"], var.maintenance_window.day)
    error_message = "maintenance_window.day must be \"any\" or a lowercase weekday name."
  }

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_window.start_time))
    error_message = "maintenance_window.start_time must be a 24-hour UTC time such as \"03:00\"."
  }
}

variable "node_pools" {
  description = <<-EOT
    Sizing of the three node pools. Omitted pools or attributes keep the module defaults:
    core (system components, fixed 2 x s-2vcpu-4gb), apps (long-lived environments, autoscaling 1-3)
    and previews (preview environments, autoscaling 0-5, tainted so only previews land there).
  EOT
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

  validation {
    condition     = coalesce(var.node_pools.previews.min_nodes, 0) >= 0 && coalesce(var.node_pools.previews.max_nodes, 5) >= max(1, coalesce(var.node_pools.previews.min_nodes, 0))
    error_message = "node_pools.previews needs 0 <= min_nodes <= max_nodes and max_nodes >= 1."
  }

  validation {
    condition = alltrue([
      for pool in [var.node_pools.core, var.node_pools.apps] :
      coalesce(pool.min_nodes, 1) >= 1 && coalesce(pool.max_nodes, 3) >= coalesce(pool.min_nodes, 1) && coalesce(pool.node_count, 2) >= 1
    ])
    error_message = "core and apps pools need at least one node and min_nodes <= max_nodes; only the previews pool may scale to zero."
  }
}

variable "preview_pool_label" {
  description = "Node label (key and value) set on the previews pool; preview workloads select it."
  type = object({
    key   = string
    value = string
  })
  default = {
    key   = "wildside.dev/pool"
    value = "previews"
  }
}

variable "preview_pool_taint" {
  description = "Taint set on the previews pool so that only workloads tolerating it (previews) are scheduled there."
  type = object({
    key    = string
    value  = string
    effect = string
  })
  default = {
    key    = "wildside.dev/preview"
    value  = "true"
    effect = "NoSchedule"
  }

  validation {
    condition     = contains(["NoSchedule", "PreferNoSchedule", "NoExecute"], var.preview_pool_taint.effect)
    error_message = "preview_pool_taint.effect must be NoSchedule, PreferNoSchedule or NoExecute."
  }
}

variable "expose_kubeconfig" {
  description = "Expose the raw admin kubeconfig as the sensitive `kubeconfig` output (for local use). Off by default: prefer `doctl kubernetes cluster kubeconfig save`."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra DigitalOcean tags applied to the cluster and every node pool."
  type        = list(string)
  default     = []
}

variable "control_plane_allowed_cidrs" {
  description = "CIDR blocks allowed to reach the Kubernetes API through the DOKS control-plane firewall (the nodes always may): where OpenTofu, CI and operators run. [\"0.0.0.0/0\"] opens it deliberately."
  type        = list(string)

  validation {
    condition     = length(var.control_plane_allowed_cidrs) > 0 && alltrue([for c in var.control_plane_allowed_cidrs : can(cidrhost(c, 0))])
    error_message = "control_plane_allowed_cidrs must be a non-empty list of CIDR blocks."
  }
}
