# This file is maintained automatically by "tofu init".
# Manual edits may be lost in future updates.

provider "registry.opentofu.org/digitalocean/digitalocean" {
  version     = "2.99.1"
  constraints = "~> 2.55"
  hashes = [
    "h1:l4cTFse+ugqUqi8/y5jJso4+1KHQJriECH72o0uuefo=",
  ]
}

provider "registry.opentofu.org/hashicorp/tls" {
  version     = "4.3.0"
  constraints = "~> 4.1"
  hashes = [
    "h1:056gxhlQPtqZJnAjNi/PVtQo45Oj0MCM/W0H8NEbEFc=",
  ]
}
