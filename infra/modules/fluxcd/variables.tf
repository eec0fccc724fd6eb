variable "cluster_name" {
  description = "Cluster name; Flux reconciles `clusters/<cluster_name>` of the platform repository unless git_path overrides it."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.cluster_name))
    error_message = "cluster_name must be 3-40 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "git_repository_url" {
  description = "Clone URL of the platform GitOps repository (wildside-infra), e.g. \"ssh://git@github.com/acme/wildside-infra.git\" or an https:// URL for a public repository."
  type        = string

  validation {
    condition     = can(regex("^(ssh://[^@\\s]+@|https://)[^\\s]+$", var.git_repository_url))
    error_message = "git_repository_url must start with ssh://user@host/ or https:// and must not embed credentials."
  }

  validation {
    condition     = !can(regex("^https://[^/]*@", var.git_repository_url))
    error_message = "git_repository_url must not contain credentials; use git_auth instead."
  }
}

variable "git_branch" {
  description = "Branch of the platform repository Flux follows."
  type        = string
  default     = "main"
}

variable "git_path" {
  description = "Path inside the platform repository that Flux reconciles. Null means `clusters/<cluster_name>`."
  type        = string
  default     = null

  validation {
    condition     = var.git_path == null || can(regex("^[A-Za-z0-9._/-]+$", coalesce(var.git_path, "x")))
    error_message = "git_path must be a relative repository path."
  }
}

variable "git_auth" {
  description = <<-EOT
    How Flux authenticates to the platform repository (read-only):
    "deploy_key" - the module generates an ed25519 key pair, stores it in the Flux Secret and outputs the public
                   key for you to add as a read-only deploy key (the private key is in state: the kubernetes
                   provider needs it to create the Secret);
    "existing_secret" - you create the Secret `git_secret_name` yourself; nothing secret touches state;
    "none" - public repository over https.
  EOT
  type        = string
  default     = "deploy_key"

  validation {
    condition     = contains(["deploy_key", "existing_secret", "none"], var.git_auth)
    error_message = "git_auth must be one of deploy_key, existing_secret, none."
  }
}

variable "git_secret_name" {
  description = "Name of the Secret (in the Flux namespace) holding the Git credentials."
  type        = string
  default     = "flux-system"
}

variable "git_known_hosts" {
  description = "known_hosts line(s) for the Git host, used with SSH authentication. Defaults to GitHub's published ed25519 host key."
  type        = string
  default     = "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
}

variable "namespace" {
  description = "Namespace Flux is installed into."
  type        = string
  default     = "flux-system"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a valid Kubernetes namespace name."
  }
}

variable "helm_repository" {
  description = "Helm repository hosting the flux2 and flux2-sync charts."
  type        = string
  default     = "https://fluxcd-community.github.io/helm-charts"
}

variable "flux2_chart_version" {
  description = "Version of the flux2 chart (Flux controllers and CRDs). 2.18.3 (Flux 2.8.5) is the newest release verified here; controller_tags runs the Flux 2.9 controllers on it. Move to the chart release of Flux 2.9 once verified, and pin the version you tested."
  type        = string
  default     = "2.18.3"
}

variable "flux2_sync_chart_version" {
  description = "Version of the flux2-sync chart (the GitRepository and Kustomization that point Flux at the platform repository)."
  type        = string
  default     = "1.14.5"
}

variable "sync_interval" {
  description = "How often Flux polls the platform repository (webhook Receivers trigger it sooner)."
  type        = string
  default     = "1m"

  validation {
    condition     = can(regex("^[0-9]+(s|m|h)$", var.sync_interval))
    error_message = "sync_interval must be a Go duration such as \"1m\"."
  }
}

variable "node_selector" {
  description = "nodeSelector for the Flux controllers, e.g. the core pool label."
  type        = map(string)
  default     = {}
}

variable "git_source_name" {
  description = "Name of the Flux GitRepository and root Kustomization (the flux2-sync release is named so, since the chart names both after the release). The renderer references it as sourceRef."
  type        = string
  default     = "flux-system"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$", var.git_source_name))
    error_message = "git_source_name must be a DNS label of at most 53 characters (a Helm release name)."
  }
}

variable "controller_tags" {
  description = "Image tags of the Flux controllers (source, kustomize, helm, notification), overriding the chart's; the defaults are Flux 2.9, the release the platform is tested with. An empty map keeps the chart's own."
  type        = map(string)
  default = {
    source       = "v1.9.6"
    kustomize    = "v1.9.6"
    helm         = "v1.6.4"
    notification = "v1.9.0"
  }

  validation {
    condition     = alltrue([for k, v in var.controller_tags : contains(["source", "kustomize", "helm", "notification"], k) && can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+$", v))])
    error_message = "controller_tags keys must be source, kustomize, helm or notification, and values tags such as \"v1.9.6\"."
  }
}
