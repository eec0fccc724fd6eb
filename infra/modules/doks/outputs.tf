output "cluster_id" {
  description = "ID of the DOKS cluster (used by `doctl kubernetes cluster kubeconfig exec-credential`)."
  value       = digitalocean_kubernetes_cluster.this.id
}

output "cluster_urn" {
  description = "URN of the cluster, for assigning it to a DigitalOcean project."
  value       = digitalocean_kubernetes_cluster.this.urn
}

output "cluster_name" {
  description = "Name of the DOKS cluster."
  value       = digitalocean_kubernetes_cluster.this.name
}

output "region" {
  description = "Region the cluster runs in."
  value       = digitalocean_kubernetes_cluster.this.region
}

output "endpoint" {
  description = "HTTPS URL of the Kubernetes API server."
  value       = digitalocean_kubernetes_cluster.this.endpoint
}

output "cluster_ca_certificate" {
  description = "PEM CA certificate of the Kubernetes API server (public)."
  # kube_config is sensitive as a whole (it holds the admin token); its CA certificate is
  # public, and an output derived from a sensitive value without nonsensitive() fails the plan.
  value = nonsensitive(base64decode(digitalocean_kubernetes_cluster.this.kube_config[0].cluster_ca_certificate))
}

output "kubernetes_version" {
  description = "DOKS version slug the cluster was created with."
  value       = digitalocean_kubernetes_cluster.this.version
}

output "vpc_id" {
  description = "ID of the cluster VPC (load balancers created for the cluster join it)."
  value       = digitalocean_vpc.this.id
}

output "vpc_ip_range" {
  description = "Private IPv4 range of the cluster VPC."
  value       = digitalocean_vpc.this.ip_range
}

output "node_pools" {
  description = "Resolved node pool settings by role (core, apps, previews): name, size, autoscaling bounds and labels."
  value = {
    for role, pool in local.pools : role => {
      name       = "${var.cluster_name}-${role}"
      size       = pool.size
      auto_scale = role == "previews" ? true : pool.auto_scale
      min_nodes  = pool.min_nodes
      max_nodes  = pool.max_nodes
      labels     = pool.labels
    }
  }
}

output "preview_node_selector" {
  description = "nodeSelector that places a pod on the previews pool."
  value       = { (var.preview_pool_label.key) = var.preview_pool_label.value }
}

output "preview_tolerations" {
  description = "Kubernetes tolerations a preview pod needs to run on the tainted previews pool."
  value = [{
    key      = var.preview_pool_taint.key
    operator = "Equal"
    value    = var.preview_pool_taint.value
    effect   = var.preview_pool_taint.effect
  }]
}

output "kubeconfig" {
  description = "Raw admin kubeconfig (short-lived token). Null unless expose_kubeconfig is true."
  value       = var.expose_kubeconfig ? digitalocean_kubernetes_cluster.this.kube_config[0].raw_config : null
  sensitive   = true
}
