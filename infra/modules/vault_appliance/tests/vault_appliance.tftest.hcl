# The OpenBao appliance, planned with mocked providers (no droplets). Every run is a
# plan: the Raft volumes have prevent_destroy, which would fail the test's clean-up.

mock_provider "digitalocean" {
  mock_resource "digitalocean_loadbalancer" {
    defaults = {
      ip = "203.0.113.20"
    }
  }
  mock_resource "digitalocean_droplet" {
    defaults = {
      id                   = "424242"
      ipv4_address         = "192.0.2.44"
      ipv4_address_private = "10.120.0.2"
    }
  }
  mock_resource "digitalocean_spaces_key" {
    defaults = {
      access_key = "FAKEACCESSKEYFORTESTS"
      secret_key = "fake-secret-key-for-tests"
    }
  }
  mock_resource "digitalocean_reserved_ip" {
    defaults = {
      ip_address = "198.51.100.7"
    }
  }
}
mock_provider "tls" {
  mock_resource "tls_self_signed_cert" {
    defaults = {
      cert_pem = "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n"
    }
  }
  mock_resource "tls_private_key" {
    defaults = {
      private_key_pem = "mock PRIVATE KEY (no real key in tests)"
      public_key_pem  = "-----BEGIN PUBLIC KEY-----\nfake\n-----END PUBLIC KEY-----\n"
    }
  }
  mock_resource "tls_locally_signed_cert" {
    defaults = {
      cert_pem          = "-----BEGIN CERTIFICATE-----\nnode\n-----END CERTIFICATE-----\n"
      validity_end_time = "2027-12-01T00:00:00Z"
    }
  }
}

variables {
  name                   = "wildside-shared"
  region                 = "fra1"
  vpc_id                 = "00000000-0000-4000-8000-000000000000"
  ssh_key_fingerprints   = ["aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99"]
  openbao_package_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
  admin_cidrs            = ["203.0.113.0/24"]
  lb_allowed_cidrs       = ["203.0.113.0/24"]
}

run "address_ca_and_recovery_policy" {
  command = plan

  assert {
    condition     = output.vault_address == "https://203.0.113.20"
    error_message = "Without a hostname clients use the load balancer IP."
  }
  assert {
    condition     = startswith(output.ca_cert_pem, "-----BEGIN CERTIFICATE-----") && !issensitive(output.ca_cert_pem)
    error_message = "The CA certificate is a public output."
  }
  assert {
    condition     = output.recovery_policy.key_shares == 5 && output.recovery_policy.key_threshold == 3
    error_message = "Shamir 3 of 5 by default; the shares never pass through OpenTofu."
  }
  assert {
    condition     = output.node_api_addresses == ["https://198.51.100.7:8200"]
    error_message = "Each node's direct API address is an output (the bootstrap's path to sealed nodes)."
  }
}

# Sealed or uninitialised nodes leave the rotation (they answer 503/501); the bootstrap
# reaches them directly on their reserved IPs from admin_cidrs.
run "sealed_nodes_leave_the_load_balancer" {
  command = plan

  assert {
    condition     = one(digitalocean_loadbalancer.this.healthcheck).path == "/v1/sys/health?standbyok=true&perfstandbyok=true"
    error_message = "The health check must not report sealed or uninitialised nodes healthy."
  }
  assert {
    condition     = !strcontains(output.health_check_path, "sealedcode") && !strcontains(output.health_check_path, "uninitcode")
    error_message = "No sealedcode/uninitcode override keeps a sealed node in rotation."
  }
  assert {
    condition     = anytrue([for rule in digitalocean_firewall.this.inbound_rule : rule.port_range == "8200" && try(toset(rule.source_addresses) == toset(["203.0.113.0/24"]), false)])
    error_message = "admin_cidrs reach each node's API directly."
  }
}

run "load_balancer_restricted_and_ui_off_by_default" {
  command = plan

  assert {
    condition     = one(digitalocean_loadbalancer.this.firewall).allow == tolist(["cidr:203.0.113.0/24"])
    error_message = "The load balancer admits only lb_allowed_cidrs."
  }
  assert {
    condition     = strcontains(base64decode(regex("openbao.hcl\\n    encoding: b64\\n    permissions: \"0640\"\\n    content: ([A-Za-z0-9+/=]+)", digitalocean_droplet.node[0].user_data)[0]), "ui            = false")
    error_message = "The web UI is off unless ui_enabled."
  }
}

run "every_request_is_audited" {
  command = plan

  assert {
    condition     = strcontains(base64decode(regex("openbao.hcl\\n    encoding: b64\\n    permissions: \"0640\"\\n    content: ([A-Za-z0-9+/=]+)", digitalocean_droplet.node[0].user_data)[0]), "audit \"file\" \"file\" {")
    error_message = "A declarative file audit device is configured on every node."
  }
}

# Scheduled Raft snapshots to Spaces; the newest one never expires.
run "raft_snapshots_to_spaces" {
  command = plan

  assert {
    condition     = startswith(output.snapshot_bucket, "wildside-shared-raft-snapshots-") && one(digitalocean_spaces_bucket.snapshots.versioning).enabled && digitalocean_spaces_bucket.snapshots.acl == "private"
    error_message = "A private, versioned snapshot bucket."
  }
  assert {
    condition     = alltrue([for rule in digitalocean_spaces_bucket.snapshots.lifecycle_rule : length(rule.expiration) == 0]) && one(one(digitalocean_spaces_bucket.snapshots.lifecycle_rule).noncurrent_version_expiration).days == 30
    error_message = "Only older (noncurrent) snapshots expire; the newest is always kept."
  }
  assert {
    condition     = one(digitalocean_spaces_key.snapshots.grant).bucket == digitalocean_spaces_bucket.snapshots.name
    error_message = "The nodes' Spaces key reaches the snapshot bucket only."
  }
  assert {
    condition     = strcontains(digitalocean_droplet.node[0].user_data, "OnCalendar=hourly") && strcontains(digitalocean_droplet.node[0].user_data, "openbao-snapshot.timer")
    error_message = "Every node runs the snapshot timer (only the active node uploads)."
  }
}

run "rejects_zero_snapshot_retention" {
  command = plan
  variables {
    snapshot_retention_days = 0
  }
  expect_failures = [var.snapshot_retention_days]
}

run "ui_on_request" {
  command = plan
  variables {
    ui_enabled = true
  }
  assert {
    condition     = strcontains(base64decode(regex("openbao.hcl\\n    encoding: b64\\n    permissions: \"0640\"\\n    content: ([A-Za-z0-9+/=]+)", digitalocean_droplet.node[0].user_data)[0]), "ui            = true")
    error_message = "ui_enabled = true turns the UI on."
  }
}

run "three_nodes_join_each_other" {
  command = plan
  variables {
    node_count = 3
  }
  assert {
    condition     = length(digitalocean_droplet.node) == 3 && length(digitalocean_volume.data) == 3 && length(output.node_names) == 3
    error_message = "One droplet, volume and reserved IP per node."
  }
}

run "rejects_an_even_node_count" {
  command = plan
  variables {
    node_count = 2
  }
  expect_failures = [var.node_count]
}

run "rejects_the_whole_internet_as_admin" {
  command = plan
  variables {
    admin_cidrs = ["0.0.0.0/0"]
  }
  expect_failures = [var.admin_cidrs]
}

run "rejects_an_empty_load_balancer_allow_list" {
  command = plan
  variables {
    lb_allowed_cidrs = []
  }
  expect_failures = [var.lb_allowed_cidrs]
}

run "rejects_a_bad_package_checksum" {
  command = plan
  variables {
    openbao_package_sha256 = "abc"
  }
  expect_failures = [var.openbao_package_sha256]
}

run "rejects_a_hostname_outside_the_zone" {
  command = plan
  variables {
    hostname = "vault.example.org"
    dns_zone = "example.com"
  }
  expect_failures = [digitalocean_record.vault]
}

# No private key of any kind in user_data (the metadata service and /var/lib/cloud keep
# it): the CA key stays in state, each node's key and certificate go through the bucket.
run "no_private_key_in_user_data" {
  command = plan

  assert {
    condition     = alltrue([for node in digitalocean_droplet.node : alltrue([for file in regexall("content: ([A-Za-z0-9+/=]+)\\n", node.user_data) : !strcontains(base64decode(file[0]), "PRIVATE KEY")]) && !strcontains(node.user_data, "PRIVATE KEY")])
    error_message = "user_data must carry no private key (CA or node)."
  }
  assert {
    condition     = digitalocean_spaces_bucket_object.node_key[0].key == "tls/wildside-shared-0/server-key.pem" && digitalocean_spaces_bucket_object.node_key[0].acl == "private" && digitalocean_spaces_bucket_object.node_key[0].bucket == digitalocean_spaces_bucket.snapshots.name
    error_message = "Each node's key goes to its own object of the private bucket."
  }
  assert {
    condition     = digitalocean_spaces_bucket_object.node_certificate[0].content == "${tls_locally_signed_cert.node[0].cert_pem}${tls_self_signed_cert.ca.cert_pem}"
    error_message = "Each node's certificate is delivered with the CA (the chain OpenBao serves)."
  }
  assert {
    condition     = strcontains(digitalocean_droplet.node[0].user_data, "openbao-tls.timer") && strcontains(base64decode(regex("wildside-openbao-tls\\n    encoding: b64\\n    permissions: \"0700\"\\n    content: ([A-Za-z0-9+/=]+)", digitalocean_droplet.node[0].user_data)[0]), "tls/wildside-shared-0")
    error_message = "Each node fetches its own TLS material (and renewals) on a timer."
  }
}

# The certificate names every address the node answers on, and renews itself on an apply
# within certificate_renewal_days of its end.
run "node_certificates_name_every_address_and_renew" {
  command = plan

  assert {
    condition     = toset(tls_cert_request.node[0].ip_addresses) == toset(["127.0.0.1", "203.0.113.20", "198.51.100.7", "192.0.2.44", "10.120.0.2"]) && tls_cert_request.node[0].dns_names == tolist(["localhost"])
    error_message = "Loopback, load balancer, reserved, public and VPC addresses."
  }
  assert {
    condition     = tls_locally_signed_cert.node[0].validity_period_hours == 365 * 24 && tls_locally_signed_cert.node[0].early_renewal_hours == 60 * 24
    error_message = "A year's validity, renewed by any apply in the last 60 days."
  }
  assert {
    condition     = contains(tls_locally_signed_cert.node[0].allowed_uses, "server_auth") && contains(tls_locally_signed_cert.node[0].allowed_uses, "client_auth")
    error_message = "Server auth, and client auth for the snapshot login."
  }
  assert {
    condition     = output.node_certificate_expiry == ["2027-12-01T00:00:00Z"]
    error_message = "Each node certificate's expiry is an output."
  }
}

run "refuses_a_renewal_window_as_long_as_the_validity" {
  command = plan
  variables {
    certificate_validity_days = 90
    certificate_renewal_days  = 90
  }
  expect_failures = [var.certificate_renewal_days]
}

run "refuses_an_invalid_certificate_validity_days" {
  command = plan
  variables {
    certificate_validity_days = 3650
  }
  expect_failures = [var.certificate_validity_days]
}

# Every other validation, each with a value it must refuse.

run "refuses_an_invalid_lb_size_unit" {
  command = plan
  variables {
    lb_size_unit = 0
  }
  expect_failures = [var.lb_size_unit]
}

run "refuses_an_invalid_name" {
  command = plan
  variables {
    name = "Wildside Shared"
  }
  expect_failures = [var.name]
}

run "refuses_an_invalid_openbao_version" {
  command = plan
  variables {
    openbao_version = "latest"
  }
  expect_failures = [var.openbao_version]
}

run "refuses_an_invalid_recovery_shares" {
  command = plan
  variables {
    recovery_shares = 11
  }
  expect_failures = [var.recovery_shares]
}

run "refuses_an_invalid_recovery_threshold" {
  command = plan
  variables {
    recovery_threshold = 6
  }
  expect_failures = [var.recovery_threshold]
}

run "refuses_an_invalid_region" {
  command = plan
  variables {
    region = "frankfurt"
  }
  expect_failures = [var.region]
}

run "refuses_an_invalid_snapshot_bucket_name" {
  command = plan
  variables {
    snapshot_bucket_name = "Bad_Bucket"
  }
  expect_failures = [var.snapshot_bucket_name]
}

run "refuses_an_invalid_ssh_key_fingerprints" {
  command = plan
  variables {
    ssh_key_fingerprints = []
  }
  expect_failures = [var.ssh_key_fingerprints]
}

run "refuses_an_invalid_volume_size_gib" {
  command = plan
  variables {
    volume_size_gib = 0
  }
  expect_failures = [var.volume_size_gib]
}
