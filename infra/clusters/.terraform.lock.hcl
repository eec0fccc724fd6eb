# This file is maintained automatically by "tofu init".
# Manual edits may be lost in future updates.

provider "registry.opentofu.org/digitalocean/digitalocean" {
  version     = "2.99.1"
  constraints = "~> 2.55"
  hashes = [
    "h1:l4cTFse+ugqUqi8/y5jJso4+1KHQJriECH72o0uuefo=",
  ]
}

provider "registry.opentofu.org/hashicorp/helm" {
  version     = "3.2.0"
  constraints = "~> 3.0"
  hashes = [
    "h1:XRvnlbED8gT8iPqnHmSe/twjZ+QjmW8wikS0b5Iz2UE=",
  ]
}

provider "registry.opentofu.org/hashicorp/kubernetes" {
  version     = "3.2.1"
  constraints = "~> 3.2"
  hashes = [
    "h1:HGWua+UhzBZm5NSNzaVXUegVHFnwfx/8Aq1j/Adwxe8=",
  ]
}

provider "registry.opentofu.org/hashicorp/random" {
  version     = "3.9.0"
  constraints = "~> 3.7"
  hashes = [
    "h1:WvAa89GctJ9TQ64vLP/zj9FmwmVfISMunx+UKZpr6T0=",
  ]
}

provider "registry.opentofu.org/hashicorp/tls" {
  version     = "4.3.0"
  constraints = "~> 4.1"
  hashes = [
    "h1:056gxhlQPtqZJnAjNi/PVtQo45Oj0MCM/W0H8NEbEFc=",
  ]
}

provider "registry.opentofu.org/hashicorp/vault" {
  version     = "5.9.0"
  constraints = "~> 5.0"
  hashes = [
    "h1:sjG1lvqz+yzkH9m6QAs3AR0758Da8o4fOYaSN37AKzE=",
  ]
}
