# The load balancer and wildcard record for previews under preview.example.com.
# Credentials: export DIGITALOCEAN_TOKEN. example.com must be a DigitalOcean DNS zone.

variable "vpc_id" {
  description = "ID of the cluster VPC (output vpc_id of the doks module)."
  type        = string
}

provider "digitalocean" {}

module "traefik" {
  source = "../.."

  cluster_name   = "example"
  region         = "fra1"
  vpc_id         = var.vpc_id
  dns_zone       = "example.com"
  preview_domain = "preview.example.com"
}

output "load_balancer_id" {
  description = "Load balancer the Traefik Service adopts."
  value       = module.traefik.load_balancer_id
}
