# The dev cluster: cheapest shape that still exercises every component.
# Secrets (dns_api_token) and the Vault CA come from TF_VAR_* environment variables.

# The gate (see infra/README.md): this cluster exists, so it is created or kept, and Flux
# (phase two) is installed. A new cluster starts with install_flux = false.
should_create_cluster = true
install_flux          = true

cluster_name     = "dev"
region           = "fra1"
ha_control_plane = false
vpc_ip_range     = "10.110.0.0/20"

node_pools = {
  core     = { size = "s-2vcpu-4gb", node_count = 2 }
  apps     = { size = "s-2vcpu-4gb", min_nodes = 1, max_nodes = 2 }
  previews = { size = "s-2vcpu-4gb", min_nodes = 0, max_nodes = 5 }
}

base_domain                = "example.com"
preview_domain             = "previews.dev.example.com"
acme_email                 = "platform@example.com"
acme_environment           = "staging"
platform_repository_url    = "ssh://git@github.com/example/wildside-infra.git"
platform_repository_branch = "main"
vault_address              = "https://vault.example.com"

# Where OpenTofu, CI and operators reach the Kubernetes API from (documentation range).
control_plane_allowed_cidrs = ["203.0.113.0/24"]
