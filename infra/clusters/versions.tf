terraform {
  required_version = ">= 1.10.0"

  required_providers {
    digitalocean = {
      source  = "digitalocean/digitalocean"
      version = "~> 2.55"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "~> 3.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 3.2"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
    tls = {
      source  = "hashicorp/tls"
      version = "~> 4.1"
    }
    vault = {
      source  = "hashicorp/vault"
      version = "~> 5.0"
    }
  }

  # Remote state in a DigitalOcean Spaces bucket through the S3 backend. bucket, key and
  # endpoints come from a partial configuration file: tofu init -backend-config=<file>.
  # use_lockfile takes a lock object next to the state with a conditional write, so two
  # runs against the same state cannot interleave (no DynamoDB table needed).
  backend "s3" {
    region                      = "us-east-1" # ignored by Spaces; the S3 client requires a value
    use_lockfile                = true
    skip_credentials_validation = true
    skip_region_validation      = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
    skip_s3_checksum            = true
  }

  # State and plan files are always encrypted (enforced: an unencrypted write fails). The
  # names match the TF_ENCRYPTION example these roots used before, so existing encrypted
  # state opens with the same passphrase.
  encryption {
    key_provider "pbkdf2" "state" {
      passphrase = var.state_passphrase
    }
    method "aes_gcm" "state" {
      keys = key_provider.pbkdf2.state
    }
    state {
      method   = method.aes_gcm.state
      enforced = true
    }
    plan {
      method   = method.aes_gcm.state
      enforced = true
    }
  }
}
