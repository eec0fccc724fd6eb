# A self-hosted OpenBao (Vault-compatible) appliance:
#   - 1, 3 or 5 droplets, each with a reserved IP and a block storage volume for Raft data
#   - TLS from a private CA generated here (the CA certificate is an output; clients pin it).
#     The CA key never leaves the (encrypted) state: each node's key and certificate are
#     issued here once its droplet exists, for every address it answers on (hostname, load
#     balancer, reserved, public and VPC IPs, so `wildside vault bootstrap` can verify each
#     node directly), and reach the node through the private bucket, never user_data. An
#     apply within certificate_renewal_days of expiry renews them; the node reloads them.
#   - a cloud firewall allowing only the load balancer, the other nodes and admin_cidrs
#   - a load balancer passing TLS through to port 8200, health-checked so that only unsealed
#     nodes (active or standby) take traffic: a sealed or uninitialised node answers 503/501
#     and leaves the rotation. `wildside vault bootstrap` reaches each node directly on its
#     reserved IP (node_api_addresses, port 8200 from admin_cidrs) to initialise and unseal.
#
# Unseal keys and the root token never pass through OpenTofu: OpenBao is initialised by
# `wildside vault bootstrap`, which keeps the shares in its protected store.

locals {
  tag         = "${var.name}-vault"
  node_names  = [for i in range(var.node_count) : "${var.name}-${i}"]
  health_path = "/v1/sys/health?standbyok=true&perfstandbyok=true"
  data_dir    = "/opt/openbao/data"
  fqdn        = var.hostname == null ? null : trimsuffix(var.hostname, ".")
  address     = "https://${coalesce(local.fqdn, digitalocean_loadbalancer.this.ip)}"
  # Spaces bucket names are global: a suffix derived from this appliance's CA key keeps
  # the default unique and stable without another provider.
  snapshot_bucket = var.snapshot_bucket_name != null ? var.snapshot_bucket_name : "${var.name}-raft-snapshots-${substr(sha256(tls_private_key.ca.public_key_pem), 0, 8)}"
}

resource "digitalocean_tag" "this" {
  name = local.tag
}

# Reserved IPs exist before the droplets, so every node's certificate and Raft
# retry_join list can name its peers without a dependency cycle.
resource "digitalocean_reserved_ip" "node" {
  count  = var.node_count
  region = var.region
}

resource "digitalocean_loadbalancer" "this" {
  name        = "${var.name}-vault"
  region      = var.region
  vpc_uuid    = var.vpc_id
  size_unit   = var.lb_size_unit
  droplet_tag = digitalocean_tag.this.name

  forwarding_rule {
    entry_port      = 443
    entry_protocol  = "https"
    target_port     = 8200
    target_protocol = "https"
    tls_passthrough = true
  }

  healthcheck {
    protocol                 = "https"
    port                     = 8200
    path                     = local.health_path
    check_interval_seconds   = 10
    response_timeout_seconds = 5
    healthy_threshold        = 2
    unhealthy_threshold      = 3
  }

  dynamic "firewall" {
    for_each = contains(var.lb_allowed_cidrs, "0.0.0.0/0") ? [] : [1]
    content {
      allow = [for c in var.lb_allowed_cidrs : "cidr:${c}"]
    }
  }
}

resource "tls_private_key" "ca" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P384"
}

resource "tls_self_signed_cert" "ca" {
  private_key_pem       = tls_private_key.ca.private_key_pem
  is_ca_certificate     = true
  validity_period_hours = 87600
  allowed_uses          = ["cert_signing", "crl_signing"]

  subject {
    common_name  = "${var.name} OpenBao CA"
    organization = "Wildside Previews"
  }
}

# Raft snapshots: the active node saves one every snapshot_schedule and uploads it to
# this bucket as raft/latest.snap. The bucket is versioned, so the newest snapshot is
# always the current object (nothing expires it) and the older ones stay recoverable for
# snapshot_retention_days as noncurrent versions. A snapshot is encrypted by OpenBao's
# barrier: without the unseal shares it reveals nothing.
resource "digitalocean_spaces_bucket" "snapshots" {
  name          = local.snapshot_bucket
  region        = var.region
  acl           = "private"
  force_destroy = false

  versioning {
    enabled = true
  }

  lifecycle_rule {
    id      = "expire-old-snapshots"
    enabled = true

    noncurrent_version_expiration {
      days = var.snapshot_retention_days
    }

    abort_incomplete_multipart_upload_days = 1
  }
}

# A key that reaches only this bucket. It is the one secret the nodes receive through
# user_data: it reads barrier-encrypted snapshots and the nodes' own TLS material.
resource "digitalocean_spaces_key" "snapshots" {
  name = "${var.name}-vault-snapshots"

  grant {
    bucket     = digitalocean_spaces_bucket.snapshots.name
    permission = "readwrite"
  }
}

resource "digitalocean_volume" "data" {
  count                   = var.node_count
  name                    = "${local.node_names[count.index]}-data"
  region                  = var.region
  size                    = var.volume_size_gib
  initial_filesystem_type = "ext4"
  description             = "OpenBao Raft data of ${local.node_names[count.index]}"
  tags                    = concat([local.tag], var.tags)

  lifecycle {
    prevent_destroy = true
  }
}

resource "digitalocean_droplet" "node" {
  #checkov:skip=CKV_DIO_2:ssh_keys is always set from var.ssh_key_fingerprints (validated non-empty); checkov cannot resolve the variable through the module call. See infra/checkov-accepted.md.
  count             = var.node_count
  name              = local.node_names[count.index]
  region            = var.region
  size              = var.droplet_size
  image             = var.droplet_image
  vpc_uuid          = var.vpc_id
  ssh_keys          = var.ssh_key_fingerprints
  volume_ids        = [digitalocean_volume.data[count.index].id]
  monitoring        = true
  ipv6              = false
  graceful_shutdown = true
  tags              = concat([digitalocean_tag.this.name], var.tags)

  user_data = templatefile("${path.module}/templates/cloud-init.yaml.tftpl", {
    install_script = base64encode(templatefile("${path.module}/templates/install-openbao.sh.tftpl", {
      openbao_version = var.openbao_version
      package_sha256  = var.openbao_package_sha256
      volume_name     = digitalocean_volume.data[count.index].name
      data_dir        = local.data_dir
    }))
    openbao_config = base64encode(templatefile("${path.module}/templates/openbao.hcl.tftpl", {
      cluster_name = var.name
      ui           = var.ui_enabled
      node_id      = local.node_names[count.index]
      node_ip      = digitalocean_reserved_ip.node[count.index].ip_address
      peers        = [for i, ip in digitalocean_reserved_ip.node[*].ip_address : ip if i != count.index]
      data_dir     = local.data_dir
    }))
    snapshot_script = base64encode(templatefile("${path.module}/templates/raft-snapshot.sh.tftpl", {
      bucket   = digitalocean_spaces_bucket.snapshots.name
      region   = var.region
      endpoint = "${var.region}.digitaloceanspaces.com"
    }))
    snapshot_env = base64encode(join("\n", [
      "SPACES_ACCESS_KEY_ID=${digitalocean_spaces_key.snapshots.access_key}",
      "SPACES_SECRET_ACCESS_KEY=${digitalocean_spaces_key.snapshots.secret_key}",
      "",
    ]))
    tls_script = base64encode(templatefile("${path.module}/templates/fetch-tls.sh.tftpl", {
      bucket   = digitalocean_spaces_bucket.snapshots.name
      region   = var.region
      endpoint = "${var.region}.digitaloceanspaces.com"
      prefix   = "tls/${local.node_names[count.index]}"
    }))
    snapshot_schedule = var.snapshot_schedule
    ca_pem            = base64encode(tls_self_signed_cert.ca.cert_pem)
  })

  lifecycle {
    # A changed certificate or install script must not replace every node at once (that
    # would seal the whole cluster). Roll nodes one by one with `tofu apply -replace=...`;
    # the Raft data lives on the volume and survives the replacement.
    ignore_changes = [user_data, image]
  }
}

# Each node's TLS key and certificate. Issued after the droplet exists, so the certificate
# names its own public and VPC addresses too. They travel through the private bucket (the
# node's wildside-openbao-tls timer fetches them every 15 minutes, checks that they match
# and chain to the CA, installs them and reloads OpenBao), so neither they nor the CA key
# are in user_data, which the metadata service and /var/lib/cloud keep. A replaced droplet
# gets a new certificate (its addresses change); an apply within certificate_renewal_days
# of expiry issues a new one, which the node loads without a restart.
resource "tls_private_key" "node" {
  count       = var.node_count
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_cert_request" "node" {
  count           = var.node_count
  private_key_pem = tls_private_key.node[count.index].private_key_pem
  dns_names       = compact(["localhost", local.fqdn])
  ip_addresses = [
    "127.0.0.1",
    digitalocean_loadbalancer.this.ip,
    digitalocean_reserved_ip.node[count.index].ip_address,
    digitalocean_droplet.node[count.index].ipv4_address,
    digitalocean_droplet.node[count.index].ipv4_address_private,
  ]

  subject {
    common_name  = coalesce(local.fqdn, "${var.name}-vault")
    organization = "Wildside Previews"
  }
}

resource "tls_locally_signed_cert" "node" {
  count                 = var.node_count
  cert_request_pem      = tls_cert_request.node[count.index].cert_request_pem
  ca_private_key_pem    = tls_private_key.ca.private_key_pem
  ca_cert_pem           = tls_self_signed_cert.ca.cert_pem
  validity_period_hours = var.certificate_validity_days * 24
  early_renewal_hours   = var.certificate_renewal_days * 24
  # clientAuth too: the node logs in with it for its Raft snapshots (cert auth).
  allowed_uses = ["digital_signature", "key_encipherment", "server_auth", "client_auth"]
}

resource "digitalocean_spaces_bucket_object" "node_key" {
  count        = var.node_count
  region       = var.region
  bucket       = digitalocean_spaces_bucket.snapshots.name
  key          = "tls/${local.node_names[count.index]}/server-key.pem"
  content      = tls_private_key.node[count.index].private_key_pem
  content_type = "application/x-pem-file"
  acl          = "private"
}

resource "digitalocean_spaces_bucket_object" "node_certificate" {
  count        = var.node_count
  region       = var.region
  bucket       = digitalocean_spaces_bucket.snapshots.name
  key          = "tls/${local.node_names[count.index]}/server.pem"
  content      = "${tls_locally_signed_cert.node[count.index].cert_pem}${tls_self_signed_cert.ca.cert_pem}"
  content_type = "application/x-pem-file"
  acl          = "private"
}

resource "digitalocean_reserved_ip_assignment" "node" {
  count      = var.node_count
  ip_address = digitalocean_reserved_ip.node[count.index].ip_address
  droplet_id = digitalocean_droplet.node[count.index].id
}

resource "digitalocean_firewall" "this" {
  name = "${var.name}-vault"
  tags = [digitalocean_tag.this.name]

  # OpenBao API from the load balancer (traffic and health checks).
  inbound_rule {
    protocol                  = "tcp"
    port_range                = "8200"
    source_load_balancer_uids = [digitalocean_loadbalancer.this.id]
  }

  # API and Raft cluster traffic between the nodes.
  inbound_rule {
    protocol    = "tcp"
    port_range  = "8200-8201"
    source_tags = [digitalocean_tag.this.name]
  }

  dynamic "inbound_rule" {
    for_each = length(var.admin_cidrs) > 0 ? toset(["22", "8200"]) : toset([])
    content {
      protocol         = "tcp"
      port_range       = inbound_rule.value
      source_addresses = var.admin_cidrs
    }
  }

  # Package downloads (apt mirrors, the OpenBao release on GitHub).
  dynamic "outbound_rule" {
    for_each = toset(["80", "443"])
    content {
      protocol              = "tcp"
      port_range            = outbound_rule.value
      destination_addresses = ["0.0.0.0/0", "::/0"]
    }
  }

  dynamic "outbound_rule" {
    for_each = toset(["tcp", "udp"])
    content {
      protocol              = outbound_rule.value
      port_range            = "53"
      destination_addresses = ["0.0.0.0/0", "::/0"]
    }
  }

  outbound_rule {
    protocol              = "udp"
    port_range            = "123"
    destination_addresses = ["0.0.0.0/0", "::/0"]
  }

  # Raft retry_join and cluster traffic to the peers' reserved IPs.
  outbound_rule {
    protocol              = "tcp"
    port_range            = "8200-8201"
    destination_addresses = digitalocean_reserved_ip.node[*].ip_address
  }
}

resource "digitalocean_record" "vault" {
  count  = var.dns_zone != null && var.hostname != null ? 1 : 0
  domain = var.dns_zone
  type   = "A"
  name   = trimsuffix(trimsuffix(local.fqdn, var.dns_zone), ".")
  value  = digitalocean_loadbalancer.this.ip
  ttl    = 300

  lifecycle {
    precondition {
      condition     = endswith(local.fqdn, ".${trimsuffix(var.dns_zone, ".")}")
      error_message = "hostname must be a name inside dns_zone."
    }
  }
}
