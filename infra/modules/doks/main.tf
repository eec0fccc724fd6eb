# A DOKS cluster in its own VPC with three node pools:
#   core     - Flux, Traefik, cert-manager, External Secrets, operators (the cluster's default pool)
#   apps     - long-lived environments (staging, production) and shared data services
#   previews - one namespace per pull request; autoscales and may scale to zero when no preview is open

data "digitalocean_kubernetes_versions" "this" {
  version_prefix = var.kubernetes_version_prefix
}

locals {
  pool_defaults = {
    core     = { size = "s-2vcpu-4gb", auto_scale = false, node_count = 2, min_nodes = 2, max_nodes = 3 }
    apps     = { size = "s-4vcpu-8gb", auto_scale = true, node_count = 1, min_nodes = 1, max_nodes = 3 }
    previews = { size = "s-2vcpu-4gb", auto_scale = true, node_count = 0, min_nodes = 0, max_nodes = 5 }
  }

  # Resolved pool settings: user values win over defaults, attribute by attribute.
  pools = {
    for name, defaults in local.pool_defaults : name => {
      size       = coalesce(try(var.node_pools[name].size, null), defaults.size)
      auto_scale = coalesce(try(var.node_pools[name].auto_scale, null), defaults.auto_scale)
      node_count = coalesce(try(var.node_pools[name].node_count, null), defaults.node_count)
      min_nodes  = coalesce(try(var.node_pools[name].min_nodes, null), defaults.min_nodes)
      max_nodes  = coalesce(try(var.node_pools[name].max_nodes, null), defaults.max_nodes)
      labels = merge(
        { "wildside.dev/pool" = name },
        try(var.node_pools[name].labels, {}),
        name == "previews" ? { (var.preview_pool_label.key) = var.preview_pool_label.value } : {},
      )
    }
  }

  tags = distinct(concat(["wildside", "wildside-${var.cluster_name}"], var.tags))
}

resource "digitalocean_vpc" "this" {
  name        = "${var.cluster_name}-vpc"
  region      = var.region
  ip_range    = var.vpc_ip_range
  description = "VPC of the ${var.cluster_name} DOKS cluster (managed by OpenTofu)."
}

resource "digitalocean_kubernetes_cluster" "this" {
  name          = var.cluster_name
  region        = var.region
  version       = data.digitalocean_kubernetes_versions.this.latest_version
  vpc_uuid      = digitalocean_vpc.this.id
  ha            = var.ha_control_plane
  auto_upgrade  = var.auto_upgrade
  surge_upgrade = var.surge_upgrade
  tags          = local.tags

  # Deleting the cluster must not silently delete volumes and load balancers that
  # hold data or DNS-published addresses; clean those up deliberately.
  destroy_all_associated_resources = false

  maintenance_policy {
    day        = var.maintenance_window.day
    start_time = var.maintenance_window.start_time
  }

  node_pool {
    name       = "${var.cluster_name}-core"
    size       = local.pools.core.size
    auto_scale = local.pools.core.auto_scale
    node_count = local.pools.core.auto_scale ? null : local.pools.core.node_count
    min_nodes  = local.pools.core.auto_scale ? local.pools.core.min_nodes : null
    max_nodes  = local.pools.core.auto_scale ? local.pools.core.max_nodes : null
    labels     = local.pools.core.labels
    tags       = local.tags
  }

  # The Kubernetes API answers only the CIDRs listed here (plus the nodes themselves).
  control_plane_firewall {
    enabled           = true
    allowed_addresses = var.control_plane_allowed_cidrs
  }

  lifecycle {
    # DOKS upgrades the patch version itself when auto_upgrade is on.
    ignore_changes = [version]
    # Deleting a cluster is a reviewed code change, never the side effect of a variable
    # (see infra/README.md, "Deleting a cluster").
    prevent_destroy = true
  }
}

resource "digitalocean_kubernetes_node_pool" "apps" {
  cluster_id = digitalocean_kubernetes_cluster.this.id
  name       = "${var.cluster_name}-apps"
  size       = local.pools.apps.size
  auto_scale = local.pools.apps.auto_scale
  node_count = local.pools.apps.auto_scale ? null : local.pools.apps.node_count
  min_nodes  = local.pools.apps.auto_scale ? local.pools.apps.min_nodes : null
  max_nodes  = local.pools.apps.auto_scale ? local.pools.apps.max_nodes : null
  labels     = local.pools.apps.labels
  tags       = local.tags

  lifecycle {
    prevent_destroy = true
  }
}

resource "digitalocean_kubernetes_node_pool" "previews" {
  cluster_id = digitalocean_kubernetes_cluster.this.id
  name       = "${var.cluster_name}-previews"
  size       = local.pools.previews.size
  auto_scale = true
  min_nodes  = local.pools.previews.min_nodes
  max_nodes  = local.pools.previews.max_nodes
  labels     = local.pools.previews.labels
  tags       = local.tags

  lifecycle {
    prevent_destroy = true
  }

  taint {
    key    = var.preview_pool_taint.key
    value  = var.preview_pool_taint.value
    effect = var.preview_pool_taint.effect
  }
}
