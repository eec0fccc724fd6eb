output "auth_mount_path" {
  description = "Path of the Kubernetes auth method (ClusterSecretStore spec.provider.vault.auth.kubernetes.mountPath)."
  value       = vault_auth_backend.kubernetes.path
}

output "role_name" {
  description = "Kubernetes auth role External Secrets logs in with."
  value       = var.role_name
  depends_on  = [vault_generic_endpoint.eso_role]
}

output "policy_name" {
  description = "Name of the read-only policy attached to the role."
  value       = local.policy_name
}

output "kv_mount" {
  description = "KV version 2 mount External Secrets reads from."
  value       = var.vault_kv_mount
}

output "kv_prefix" {
  description = "Prefix inside the mount holding this cluster's platform secrets."
  value       = var.vault_kv_prefix
}

output "read_prefixes" {
  description = "Every KV prefix the policy grants read access to."
  value       = local.read_prefixes
}

output "namespace" {
  description = "Namespace of External Secrets Operator."
  value       = var.namespace
}

output "service_account" {
  description = "Service account bound to the role."
  value       = var.service_account
}

output "policy_hcl" {
  description = "Read-only policy document for this cluster's prefixes, for pre-creating a per-cluster policy with a privileged token (`bao policy write <policy_name> -`)."
  value       = local.policy_hcl
}
