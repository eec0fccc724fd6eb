output "namespace" {
  description = "Namespace Flux runs in."
  value       = helm_release.flux2.namespace
}

output "git_repository_url" {
  description = "Clone URL of the platform repository Flux reconciles."
  value       = var.git_repository_url
}

output "git_branch" {
  description = "Branch Flux follows."
  value       = var.git_branch
}

output "git_path" {
  description = "Path in the platform repository Flux reconciles (without leading ./), e.g. clusters/dev."
  value       = local.git_path
}

output "git_source_name" {
  description = "Name of the Flux GitRepository (and root Kustomization) created for the platform repository: the flux2-sync release name, which the chart gives both objects."
  value       = helm_release.flux2_sync.name
}

output "git_secret_name" {
  description = "Name of the Secret holding the Git credentials, or null when git_auth is \"none\"."
  value       = local.uses_secret ? var.git_secret_name : null
}

output "deploy_key_public" {
  description = "Public half of the generated deploy key (OpenSSH format); add it to the platform repository as a read-only deploy key. Null unless git_auth is \"deploy_key\"."
  value       = one(tls_private_key.deploy_key[*].public_key_openssh)
}

output "flux_chart_version" {
  description = "Installed flux2 chart version."
  value       = helm_release.flux2.version
}
