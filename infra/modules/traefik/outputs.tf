output "load_balancer_id" {
  description = "ID of the load balancer the Traefik Service adopts (annotation kubernetes.digitalocean.com/load-balancer-id)."
  value       = digitalocean_loadbalancer.traefik.id
}

output "load_balancer_name" {
  description = "Name of the load balancer (annotation service.beta.kubernetes.io/do-loadbalancer-name must match)."
  value       = digitalocean_loadbalancer.traefik.name
}

output "load_balancer_ip" {
  description = "Public IPv4 address of the load balancer."
  value       = digitalocean_loadbalancer.traefik.ip
}

output "load_balancer_size_unit" {
  description = "Size unit of the load balancer (annotation service.beta.kubernetes.io/do-loadbalancer-size-unit must match)."
  value       = var.load_balancer_size_unit
}

output "preview_domain" {
  description = "Domain under which preview hostnames are created."
  value       = var.preview_domain
}

output "preview_wildcard_hostname" {
  description = "Wildcard hostname served by the single wildcard DNS record and certificate."
  value       = local.wildcard_host
}

output "wildcard_record_fqdn" {
  description = "Fully qualified name of the wildcard DNS record, or null when manage_wildcard_record is false."
  value       = one(digitalocean_record.wildcard[*].fqdn)
}

output "namespace" {
  description = "Namespace Traefik runs in."
  value       = var.namespace
}

output "ingress_class_name" {
  description = "IngressClass served by Traefik."
  value       = var.ingress_class_name
}
