output "vault_address" {
  description = "HTTPS address of the appliance; pass it to the cluster roots as vault_address."
  value       = module.vault_appliance.vault_address
}

output "vault_ca_cert_pem" {
  description = "PEM CA certificate clients pin; pass it to the cluster roots as vault_ca_cert_pem."
  value       = module.vault_appliance.ca_cert_pem
}

output "load_balancer_ip" {
  description = "Public IPv4 address of the appliance's load balancer."
  value       = module.vault_appliance.load_balancer_ip
}

output "droplet_tag" {
  description = "Tag of the nodes, for `wildside vault bootstrap --droplet-tag`."
  value       = module.vault_appliance.droplet_tag
}

output "node_names" {
  description = "Droplet names (Raft node IDs)."
  value       = module.vault_appliance.node_names
}

output "node_public_ips" {
  description = "Reserved IPv4 addresses of the nodes, for SSH from admin_cidrs."
  value       = module.vault_appliance.node_public_ips
}

output "recovery_policy" {
  description = "Shamir share count and threshold for `wildside vault bootstrap`, and who holds the shares."
  value       = module.vault_appliance.recovery_policy
}

output "node_api_addresses" {
  description = "Direct API address of each node, reachable from admin_cidrs: how the bootstrap reaches sealed nodes, which the load balancer leaves out of its rotation."
  value       = module.vault_appliance.node_api_addresses
}

output "snapshot_bucket" {
  description = "Spaces bucket of the scheduled Raft snapshots (raft/latest.snap; older ones as noncurrent versions)."
  value       = module.vault_appliance.snapshot_bucket
}

output "node_certificate_expiry" {
  description = "When each node's server certificate expires; an apply within 60 days of that renews it."
  value       = module.vault_appliance.node_certificate_expiry
}
