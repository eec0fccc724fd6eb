# Installs Flux into the cluster of your current kubeconfig and points it at
# clusters/example of the platform repository. Add the printed public key to that
# repository as a read-only deploy key.

variable "kubeconfig_path" {
  description = "Path of a kubeconfig with cluster-admin access to the target cluster."
  type        = string
  default     = "~/.kube/config"
}

provider "kubernetes" {
  config_path = var.kubeconfig_path
}

provider "helm" {
  kubernetes = {
    config_path = var.kubeconfig_path
  }
}

module "fluxcd" {
  source = "../.."

  cluster_name       = "example"
  git_repository_url = "ssh://git@github.com/example/wildside-infra.git"
}

output "deploy_key_public" {
  description = "Read-only deploy key to add to the platform repository."
  value       = module.fluxcd.deploy_key_public
}
