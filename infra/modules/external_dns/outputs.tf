output "dns_provider" {
  description = "ExternalDNS provider name."
  value       = "digitalocean"
}

output "zone_name" {
  description = "Name of the managed DNS zone (available once the zone exists)."
  value       = var.create_zone ? digitalocean_domain.this[0].name : data.digitalocean_domain.existing[0].name
}

output "domain_filters" {
  description = "Domains ExternalDNS may manage (--domain-filter)."
  value       = [var.dns_zone]
}

output "txt_owner_id" {
  description = "TXT owner ID that marks records owned by this cluster."
  value       = coalesce(var.txt_owner_id, var.cluster_name)
}

output "namespace" {
  description = "Namespace ExternalDNS runs in."
  value       = var.namespace
}

output "vault_secret_path" {
  description = "Path (inside the KV mount) of the secret holding the DigitalOcean token."
  value       = vault_kv_secret_v2.token.name
}

output "vault_secret_key" {
  description = "Key of the token inside that secret (ExternalDNS reads it as the DO_TOKEN environment variable)."
  value       = local.secret_key
}
