# A small cluster with the default pools: 2 core nodes, 1-3 app nodes, 0-5 preview nodes.
# Credentials: export DIGITALOCEAN_TOKEN.

provider "digitalocean" {}

module "doks" {
  source = "../.."

  cluster_name     = "example"
  region           = "fra1"
  ha_control_plane = false
  # Where you run tofu and kubectl from (documentation range here).
  control_plane_allowed_cidrs = ["203.0.113.0/24"]

  node_pools = {
    previews = { max_nodes = 3 }
  }
}

output "cluster_id" {
  description = "ID of the example cluster."
  value       = module.doks.cluster_id
}
