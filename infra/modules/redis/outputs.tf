output "name" {
  description = "Name of the Redis-compatible instance."
  value       = var.name
}

output "namespace" {
  description = "Namespace of the instance."
  value       = var.namespace
}

output "host" {
  description = "In-cluster DNS name of the instance's Service."
  value       = "${var.name}.${var.namespace}.svc.cluster.local"
}

output "port" {
  description = "Port of the instance's Service."
  value       = 6379
}

output "vault_secret_path" {
  description = "Path (inside the KV mount) of the secret holding the password."
  value       = vault_kv_secret_v2.this.name
}

output "vault_secret_key" {
  description = "Key of the password inside that secret."
  value       = local.secret_key
}
