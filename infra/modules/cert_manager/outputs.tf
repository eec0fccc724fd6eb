output "namespace" {
  description = "Namespace cert-manager runs in."
  value       = var.namespace
}

output "cluster_issuer_name" {
  description = "Name for the ACME ClusterIssuer the renderer creates."
  value       = "letsencrypt-${var.acme_environment}"
}

output "acme_server" {
  description = "ACME directory URL of the chosen Let's Encrypt environment."
  value       = local.acme_servers[var.acme_environment]
}

output "acme_email" {
  description = "Contact e-mail of the ACME account."
  value       = var.acme_email
}

output "dns01_provider" {
  description = "cert-manager DNS-01 solver to configure."
  value       = "digitalocean"
}

output "wildcard_certificate_dns_names" {
  description = "DNS names of the single wildcard certificate Traefik serves as its default certificate."
  value       = [var.preview_domain, "*.${var.preview_domain}"]
}

output "vault_secret_path" {
  description = "Path (inside the KV mount) of the secret holding the DNS-01 solver token."
  value       = vault_kv_secret_v2.token.name
}

output "vault_secret_key" {
  description = "Key of the token inside that secret (the solver's tokenSecretRef key)."
  value       = local.secret_key
}
