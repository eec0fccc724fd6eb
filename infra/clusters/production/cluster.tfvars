# The production cluster: HA control plane, no preview capacity (previews run on staging).

# The gate (see infra/README.md): this cluster exists, so it is created or kept, and Flux
# (phase two) is installed. A new cluster starts with install_flux = false.
should_create_cluster = true
install_flux          = true

cluster_name     = "production"
region           = "fra1"
ha_control_plane = true
vpc_ip_range     = "10.112.0.0/20"

node_pools = {
  core     = { size = "s-4vcpu-8gb", node_count = 3 }
  apps     = { size = "s-4vcpu-8gb", min_nodes = 2, max_nodes = 6 }
  previews = { size = "s-2vcpu-4gb", min_nodes = 0, max_nodes = 1 }
}

base_domain                = "example.com"
preview_domain             = "previews.example.com"
acme_email                 = "platform@example.com"
acme_environment           = "production"
platform_repository_url    = "ssh://git@github.com/example/wildside-infra.git"
platform_repository_branch = "main"
vault_address              = "https://vault.example.com"

# Where OpenTofu, CI and operators reach the Kubernetes API from (documentation range).
control_plane_allowed_cidrs = ["203.0.113.0/24"]
