#!/usr/bin/env bash
# Opens port 8200 of the Vault appliance's cloud firewall to this runner's public
# address for one run, and closes it again:
#
#   firewall.sh open <firewall-name>     # before `wildside vault bootstrap`
#   firewall.sh close                    # always, after it
#
# Sealed nodes are out of the load balancer's rotation, so the bootstrap talks to each
# node directly on port 8200, which the firewall admits only from admin_cidrs; a
# GitHub-hosted runner's address is not known in advance. The firewall is named like the
# droplet tag (<name>-vault, vault_appliance module). A rule left behind by a killed run
# is removed by the next `tofu apply` of infra/vault (the module owns every rule).
# doctl reads DIGITALOCEAN_ACCESS_TOKEN from the environment. RUNNER_PUBLIC_IP, when
# set, is used instead of asking api.ipify.org.
set -euo pipefail
opened="${RUNNER_TEMP:?RUNNER_TEMP is not set}/vault-firewall-rule"

rule() { printf 'protocol:tcp,ports:8200,address:%s/32' "$1"; }

case "${1:-}" in
  open)
    name="${2:?usage: firewall.sh open <firewall-name>}"
    ip="${RUNNER_PUBLIC_IP:-$(curl -fsS --retry 3 https://api.ipify.org)}"
    if ! [[ "$ip" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]]; then
      echo "firewall.sh: '$ip' is not this runner's IPv4 address; set RUNNER_PUBLIC_IP" >&2
      exit 2
    fi
    id=$(doctl compute firewall list --output json |
      jq -r --arg name "$name" '[.[] | select(.name == $name) | .id] | if length == 1 then .[0] else "" end')
    if [ -z "$id" ]; then
      echo "firewall.sh: no single firewall named '$name': apply infra/vault first, or pass droplet-tag" >&2
      exit 2
    fi
    doctl compute firewall add-rules "$id" --inbound-rules "$(rule "$ip")"
    printf '%s %s\n' "$id" "$ip" >"$opened"
    echo "port 8200 of firewall $name open to $ip/32 for this run"
    ;;
  close)
    [ -f "$opened" ] || exit 0
    read -r id ip <"$opened"
    doctl compute firewall remove-rules "$id" --inbound-rules "$(rule "$ip")"
    rm -f "$opened"
    echo "port 8200 closed to $ip/32 again"
    ;;
  *)
    echo "usage: firewall.sh open <firewall-name> | close" >&2
    exit 2
    ;;
esac
