# Traefik's cloud side: a load balancer created here (so its address is stable and known
# before Traefik runs) and the single wildcard record *.<preview_domain> that every preview
# hostname resolves through. The Traefik Service rendered by `wildside platform render`
# adopts this load balancer with the annotation
#   kubernetes.digitalocean.com/load-balancer-id: <traefik_load_balancer_id>
# after which the DigitalOcean cloud controller owns its forwarding rules and targets.

locals {
  lb_name          = "${var.cluster_name}-traefik"
  record_name      = trimsuffix(var.preview_domain, ".${var.dns_zone}")
  wildcard_record  = "*.${local.record_name}"
  wildcard_host    = "*.${var.preview_domain}"
  ingress_ports_lb = [80, 443]
}

resource "digitalocean_loadbalancer" "traefik" {
  name      = local.lb_name
  region    = var.region
  vpc_uuid  = var.vpc_id
  size_unit = var.load_balancer_size_unit

  # Placeholder rules: DOKS rewrites them to the Traefik Service's node ports once it adopts
  # the load balancer. TLS is terminated by Traefik (wildcard certificate), not here.
  dynamic "forwarding_rule" {
    for_each = toset(local.ingress_ports_lb)
    content {
      entry_port      = forwarding_rule.value
      entry_protocol  = "tcp"
      target_port     = forwarding_rule.value
      target_protocol = "tcp"
    }
  }

  healthcheck {
    protocol = "tcp"
    port     = 80
  }

  lifecycle {
    precondition {
      condition     = endswith(var.preview_domain, ".${var.dns_zone}")
      error_message = "preview_domain must be a subdomain of dns_zone."
    }
    # Owned by the DigitalOcean cloud controller after adoption.
    ignore_changes = [forwarding_rule, healthcheck, droplet_ids, droplet_tag, sticky_sessions, http_idle_timeout_seconds, enable_proxy_protocol, enable_backend_keepalive, redirect_http_to_https]
  }
}

resource "digitalocean_record" "wildcard" {
  count  = var.manage_wildcard_record ? 1 : 0
  domain = var.dns_zone
  type   = "A"
  name   = local.wildcard_record
  value  = digitalocean_loadbalancer.traefik.ip
  ttl    = var.record_ttl
}
