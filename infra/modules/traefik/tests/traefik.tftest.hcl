# Traefik's load balancer and the optional wildcard record, with a mocked provider.

mock_provider "digitalocean" {
  mock_resource "digitalocean_loadbalancer" {
    defaults = {
      ip = "203.0.113.10"
    }
  }
}

variables {
  cluster_name   = "dev"
  region         = "fra1"
  vpc_id         = "00000000-0000-4000-8000-000000000000"
  dns_zone       = "example.com"
  preview_domain = "previews.dev.example.com"
}

run "load_balancer_and_wildcard_record" {
  command = apply

  assert {
    condition     = output.load_balancer_name == "dev-traefik" && output.load_balancer_ip == "203.0.113.10"
    error_message = "The load balancer is named <cluster>-traefik and its IP is an output."
  }
  assert {
    condition     = output.preview_wildcard_hostname == "*.previews.dev.example.com"
    error_message = "One wildcard hostname for every preview."
  }
  assert {
    condition     = digitalocean_record.wildcard[0].name == "*.previews.dev" && digitalocean_record.wildcard[0].value == "203.0.113.10"
    error_message = "The wildcard record points at the load balancer."
  }
}

run "externaldns_owns_the_record_when_asked" {
  command = plan
  variables {
    manage_wildcard_record = false
  }
  assert {
    condition     = length(digitalocean_record.wildcard) == 0 && output.wildcard_record_fqdn == null
    error_message = "manage_wildcard_record = false leaves the record to ExternalDNS."
  }
}

run "preview_domain_outside_the_zone_is_refused" {
  command = plan
  variables {
    preview_domain = "previews.example.org"
  }
  expect_failures = [digitalocean_loadbalancer.traefik]
}

run "rejects_a_bad_region" {
  command = plan
  variables {
    region = "frankfurt"
  }
  expect_failures = [var.region]
}

# Every other validation, each with a value it must refuse.

run "refuses_an_invalid_cluster_name" {
  command = plan
  variables {
    cluster_name = "Dev"
  }
  expect_failures = [var.cluster_name]
}

run "refuses_an_invalid_load_balancer_size_unit" {
  command = plan
  variables {
    load_balancer_size_unit = 0
  }
  expect_failures = [var.load_balancer_size_unit]
}

run "refuses_an_invalid_preview_domain" {
  command = plan
  variables {
    preview_domain = "not a domain"
  }
  expect_failures = [var.preview_domain]
}

run "refuses_an_invalid_record_ttl" {
  command = plan
  variables {
    record_ttl = 10
  }
  expect_failures = [var.record_ttl]
}
