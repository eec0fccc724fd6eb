# The staging cluster: production-like, HA control plane, trusted certificates.

# The gate (see infra/README.md): this cluster exists, so it is created or kept, and Flux
# (phase two) is installed. A new cluster starts with install_flux = false.
should_create_cluster = true
install_flux          = true

cluster_name     = "staging"
region           = "fra1"
ha_control_plane = true
vpc_ip_range     = "10.111.0.0/20"

node_pools = {
  core     = { size = "s-2vcpu-4gb", node_count = 2 }
  apps     = { size = "s-4vcpu-8gb", min_nodes = 1, max_nodes = 3 }
  previews = { size = "s-4vcpu-8gb", min_nodes = 0, max_nodes = 8 }
}

base_domain                = "example.com"
preview_domain             = "previews.staging.example.com"
acme_email                 = "platform@example.com"
acme_environment           = "production"
platform_repository_url    = "ssh://git@github.com/example/wildside-infra.git"
platform_repository_branch = "main"
vault_address              = "https://vault.example.com"

# Where OpenTofu, CI and operators reach the Kubernetes API from (documentation range).
control_plane_allowed_cidrs = ["203.0.113.0/24"]
