# Outputs marked [renderer] are read by `wildside platform render --tofu-outputs FILE`;
# their names and types are listed in ../renderer-contract.json (tests check both agree).
# Values of module outputs are null while should_create_cluster is false.

output "cluster_name" {
  description = "[renderer] Name of the cluster; the renderer writes clusters/<cluster_name>/ of the platform repository."
  value       = var.cluster_name
}

output "cluster_id" {
  description = "[renderer] DOKS cluster ID."
  value       = one(module.doks[*].cluster_id)
}

output "cluster_endpoint" {
  description = "[renderer] HTTPS URL of the Kubernetes API server."
  value       = one(module.doks[*].endpoint)
}

output "region" {
  description = "[renderer] DigitalOcean region of the cluster."
  value       = var.region
}

output "kubernetes_version" {
  description = "[renderer] DOKS version slug of the cluster."
  value       = one(module.doks[*].kubernetes_version)
}

output "preview_node_selector" {
  description = "[renderer] nodeSelector placing preview pods on the previews pool."
  value       = one(module.doks[*].preview_node_selector)
}

output "preview_tolerations" {
  description = "[renderer] Tolerations preview pods need for the tainted previews pool (list of {key, operator, value, effect})."
  value       = one(module.doks[*].preview_tolerations)
}

output "base_domain" {
  description = "[renderer] DNS zone of the platform."
  value       = var.base_domain
}

output "preview_domain" {
  description = "[renderer] Domain under which preview hostnames are created (pr-<N>.<preview_domain>)."
  value       = var.preview_domain
}

output "preview_wildcard_hostname" {
  description = "[renderer] Wildcard hostname (*.<preview_domain>) of the single DNS record and certificate."
  value       = one(module.traefik[*].preview_wildcard_hostname)
}

output "dns_provider" {
  description = "[renderer] ExternalDNS provider name (digitalocean)."
  value       = one(module.external_dns[*].dns_provider)
}

output "external_dns_namespace" {
  description = "[renderer] Namespace of ExternalDNS."
  value       = one(module.external_dns[*].namespace)
}

output "external_dns_domain_filters" {
  description = "[renderer] Domains ExternalDNS may manage."
  value       = one(module.external_dns[*].domain_filters)
}

output "external_dns_txt_owner_id" {
  description = "[renderer] ExternalDNS TXT owner ID of this cluster."
  value       = one(module.external_dns[*].txt_owner_id)
}

output "external_dns_vault_secret_path" {
  description = "[renderer] KV path (inside vault_kv_mount) of ExternalDNS's DigitalOcean token."
  value       = one(module.external_dns[*].vault_secret_path)
}

output "external_dns_vault_secret_key" {
  description = "[renderer] Key of the token in that KV secret."
  value       = one(module.external_dns[*].vault_secret_key)
}

output "traefik_namespace" {
  description = "[renderer] Namespace of Traefik."
  value       = one(module.traefik[*].namespace)
}

output "ingress_class_name" {
  description = "[renderer] IngressClass served by Traefik."
  value       = one(module.traefik[*].ingress_class_name)
}

output "traefik_load_balancer_id" {
  description = "[renderer] Load balancer the Traefik Service adopts (annotation kubernetes.digitalocean.com/load-balancer-id)."
  value       = one(module.traefik[*].load_balancer_id)
}

output "traefik_load_balancer_name" {
  description = "[renderer] Name of that load balancer (annotation service.beta.kubernetes.io/do-loadbalancer-name)."
  value       = one(module.traefik[*].load_balancer_name)
}

output "traefik_load_balancer_ip" {
  description = "[renderer] Public IPv4 address of that load balancer."
  value       = one(module.traefik[*].load_balancer_ip)
}

output "traefik_load_balancer_size_unit" {
  description = "[renderer] Size unit of that load balancer (annotation service.beta.kubernetes.io/do-loadbalancer-size-unit)."
  value       = one(module.traefik[*].load_balancer_size_unit)
}

output "cert_manager_namespace" {
  description = "[renderer] Namespace of cert-manager."
  value       = one(module.cert_manager[*].namespace)
}

output "cluster_issuer_name" {
  description = "[renderer] Name of the ACME ClusterIssuer."
  value       = one(module.cert_manager[*].cluster_issuer_name)
}

output "acme_server" {
  description = "[renderer] ACME directory URL."
  value       = one(module.cert_manager[*].acme_server)
}

output "acme_email" {
  description = "[renderer] ACME account e-mail."
  value       = one(module.cert_manager[*].acme_email)
}

output "dns01_provider" {
  description = "[renderer] DNS-01 solver of the ClusterIssuer (digitalocean)."
  value       = one(module.cert_manager[*].dns01_provider)
}

output "wildcard_certificate_dns_names" {
  description = "[renderer] DNS names of the wildcard certificate Traefik serves by default."
  value       = one(module.cert_manager[*].wildcard_certificate_dns_names)
}

output "cert_manager_vault_secret_path" {
  description = "[renderer] KV path of the DNS-01 solver token."
  value       = one(module.cert_manager[*].vault_secret_path)
}

output "cert_manager_vault_secret_key" {
  description = "[renderer] Key of the token in that KV secret."
  value       = one(module.cert_manager[*].vault_secret_key)
}

output "vault_address" {
  description = "[renderer] HTTPS address of the OpenBao/Vault appliance (ClusterSecretStore server)."
  value       = var.vault_address
}

output "vault_ca_cert_pem" {
  description = "[renderer] PEM CA certificate of the appliance (ClusterSecretStore caBundle); public."
  value       = var.vault_ca_cert_pem
}

output "vault_kv_mount" {
  description = "[renderer] KV version 2 mount holding the cluster's secrets."
  value       = var.vault_kv_mount
}

output "vault_kv_prefix" {
  description = "[renderer] Prefix inside the mount under which this cluster's secrets live."
  value       = local.vault_kv_scope
}

output "external_secrets_namespace" {
  description = "[renderer] Namespace of External Secrets Operator."
  value       = one(module.vault_eso[*].namespace)
}

output "external_secrets_service_account" {
  description = "[renderer] Service account ESO authenticates as (needs system:auth-delegator)."
  value       = one(module.vault_eso[*].service_account)
}

output "external_secrets_vault_auth_mount" {
  description = "[renderer] Kubernetes auth mount path for this cluster."
  value       = one(module.vault_eso[*].auth_mount_path)
}

output "external_secrets_vault_role" {
  description = "[renderer] Kubernetes auth role ESO logs in with."
  value       = one(module.vault_eso[*].role_name)
}

output "cnpg_namespace" {
  description = "[renderer] Namespace of the shared PostgreSQL cluster."
  value       = one(module.cnpg[*].namespace)
}

output "cnpg_cluster_name" {
  description = "[renderer] Name of the shared CloudNativePG Cluster."
  value       = one(module.cnpg[*].postgres_cluster_name)
}

output "cnpg_template_database" {
  description = "[renderer] Seeded template database previews are cloned from."
  value       = one(module.cnpg[*].template_database)
}

output "backups_bucket" {
  description = "[renderer] Spaces bucket for PostgreSQL backups."
  value       = one(module.cnpg[*].backups_bucket)
}

output "backups_endpoint" {
  description = "[renderer] S3 endpoint URL of the backups bucket."
  value       = one(module.cnpg[*].backups_endpoint)
}

output "backups_region" {
  description = "[renderer] Spaces region of the backups bucket."
  value       = one(module.cnpg[*].backups_region)
}

output "backups_destination_path" {
  description = "[renderer] barmanObjectStore destinationPath."
  value       = one(module.cnpg[*].backups_destination_path)
}

output "backups_vault_secret_path" {
  description = "[renderer] KV path of the bucket-scoped Spaces key."
  value       = one(module.cnpg[*].vault_secret_path)
}

output "backups_vault_secret_keys" {
  description = "[renderer] Keys in that KV secret: {access_key_id, secret_access_key} name the entries holding each half of the Spaces key."
  value       = one(module.cnpg[*].vault_secret_keys)
}

output "redis_namespace" {
  description = "[renderer] Namespace of the shared Redis-compatible cache."
  value       = one(module.redis[*].namespace)
}

output "redis_name" {
  description = "[renderer] Name of the cache instance and its Service."
  value       = one(module.redis[*].name)
}

output "redis_host" {
  description = "[renderer] In-cluster DNS name of the cache."
  value       = one(module.redis[*].host)
}

output "redis_port" {
  description = "[renderer] Port of the cache."
  value       = one(module.redis[*].port)
}

output "redis_vault_secret_path" {
  description = "[renderer] KV path of the cache password."
  value       = one(module.redis[*].vault_secret_path)
}

output "redis_vault_secret_key" {
  description = "[renderer] Key of the password in that KV secret."
  value       = one(module.redis[*].vault_secret_key)
}

output "flux_namespace" {
  description = "[renderer] Namespace Flux runs in."
  value       = one(module.fluxcd[*].namespace)
}

output "flux_git_repository_url" {
  description = "[renderer] Clone URL of the platform repository Flux reconciles."
  value       = one(module.fluxcd[*].git_repository_url)
}

output "flux_git_branch" {
  description = "[renderer] Branch Flux follows."
  value       = one(module.fluxcd[*].git_branch)
}

output "flux_path" {
  description = "[renderer] Path Flux reconciles (clusters/<cluster_name>); the renderer writes the cluster's entry point there."
  value       = one(module.fluxcd[*].git_path)
}

output "flux_git_source_name" {
  description = "[renderer] Name of the Flux GitRepository that the rendered Kustomizations reference as sourceRef."
  value       = one(module.fluxcd[*].git_source_name)
}

output "kubeconfig" {
  description = "[operator] Admin kubeconfig, null unless expose_kubeconfig is true. Operator use only."
  value       = one(module.doks[*].kubeconfig)
  sensitive   = true
}

output "cluster_ca_certificate" {
  description = "[operator] PEM CA certificate of the Kubernetes API server."
  value       = one(module.doks[*].cluster_ca_certificate)
}

output "vpc_id" {
  description = "[operator] ID of the cluster VPC."
  value       = one(module.doks[*].vpc_id)
}

output "node_pools" {
  description = "[operator] Resolved node pool settings by role."
  value       = one(module.doks[*].node_pools)
}

output "flux_deploy_key_public" {
  description = "[operator] Public deploy key to add (read-only) to the platform repository when flux_git_auth is deploy_key."
  value       = one(module.fluxcd[*].deploy_key_public)
}
