output "vault_address" {
  description = "HTTPS address clients use (hostname if set, otherwise the load balancer IP); port 443 on the load balancer."
  value       = local.address
}

output "ca_cert_pem" {
  description = "PEM certificate of the private CA that signed the OpenBao server certificate (public; clients pin it)."
  value       = tls_self_signed_cert.ca.cert_pem
}

output "load_balancer_id" {
  description = "ID of the load balancer in front of the nodes."
  value       = digitalocean_loadbalancer.this.id
}

output "load_balancer_ip" {
  description = "Public IPv4 address of the load balancer."
  value       = digitalocean_loadbalancer.this.ip
}

output "health_check_path" {
  description = "Health check path of the load balancer: only unsealed nodes (active or standby) answer 200; sealed (503) and uninitialised (501) nodes leave the rotation."
  value       = local.health_path
}

output "node_names" {
  description = "Droplet names, which are also the Raft node IDs."
  value       = local.node_names
}

output "node_public_ips" {
  description = "Reserved IPv4 addresses of the nodes (SSH from admin_cidrs; also the Raft addresses)."
  value       = digitalocean_reserved_ip.node[*].ip_address
}

output "node_private_ips" {
  description = "VPC addresses of the nodes."
  value       = digitalocean_droplet.node[*].ipv4_address_private
}

output "droplet_tag" {
  description = "Tag carried by every node (`wildside vault bootstrap --droplet-tag` discovers the nodes by it)."
  value       = digitalocean_tag.this.name
}

output "droplet_ids" {
  description = "IDs of the node droplets."
  value       = digitalocean_droplet.node[*].id
}

output "recovery_policy" {
  description = "How recovery material is handled: the Shamir share count and threshold the bootstrap uses, and who holds the shares. No unseal key or root token is ever in OpenTofu state."
  value = {
    key_shares    = var.recovery_shares
    key_threshold = var.recovery_threshold
    custodian     = "wildside vault bootstrap (its protected state store), never OpenTofu"
  }
}

output "node_api_addresses" {
  description = "Direct API address of each node (https://<reserved IP>:8200, in its certificate), reachable from admin_cidrs: the bootstrap's path to sealed nodes, which the load balancer leaves out."
  value       = [for ip in digitalocean_reserved_ip.node[*].ip_address : "https://${ip}:8200"]
}

output "snapshot_bucket" {
  description = "Spaces bucket holding the Raft snapshots (raft/latest.snap; older ones as noncurrent versions)."
  value       = digitalocean_spaces_bucket.snapshots.name
}

output "node_certificate_expiry" {
  description = "When each node's server certificate expires (RFC 3339). An apply within certificate_renewal_days of that renews it."
  value       = tls_locally_signed_cert.node[*].validity_end_time
}
