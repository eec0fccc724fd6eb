# The staging cluster: production-like, HA control plane, trusted certificates.
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
