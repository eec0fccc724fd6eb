output "namespace" {
  description = "Namespace of the shared PostgreSQL cluster."
  value       = var.namespace
}

output "postgres_cluster_name" {
  description = "Name of the shared CloudNativePG Cluster."
  value       = var.postgres_cluster_name
}

output "template_database" {
  description = "Seeded template database previews are cloned from."
  value       = var.template_database
}

output "backups_bucket" {
  description = "Name of the Spaces bucket holding base backups and WAL archives."
  value       = digitalocean_spaces_bucket.backups.name
}

output "backups_endpoint" {
  description = "S3 endpoint URL of the bucket's region (barmanObjectStore endpointURL)."
  value       = local.endpoint
}

output "backups_region" {
  description = "Spaces region of the bucket."
  value       = digitalocean_spaces_bucket.backups.region
}

output "backups_destination_path" {
  description = "barmanObjectStore destinationPath for the shared cluster."
  value       = "s3://${digitalocean_spaces_bucket.backups.name}/${var.postgres_cluster_name}"
}

output "vault_secret_path" {
  description = "Path (inside the KV mount) of the secret holding the bucket-scoped Spaces key."
  value       = vault_kv_secret_v2.backups.name
}

output "vault_secret_keys" {
  description = "Keys inside that secret: access_key_id and secret_access_key name the entries holding the two halves of the Spaces key."
  value       = local.secret_keys
}
