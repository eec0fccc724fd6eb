#!/usr/bin/env bash
# Builds OpenTofu and every provider infra/ uses from the Go modules pinned under
# engines/ (scripts/engines.sh), lays the providers out as a filesystem mirror
# and writes a CLI configuration that installs providers from that mirror only.
# Nothing is downloaded at `tofu init` time.
#
#   eval "$(scripts/tofu-mirror.sh)"      # sets TOFU and TF_CLI_CONFIG_FILE
#   "$TOFU" -chdir=infra/vault init -backend=false
#
# Prints shell assignments (TOFU=..., TF_CLI_CONFIG_FILE=...) on stdout, progress
# on stderr. The mirror lives beside the engines cache, keyed by the builds it
# holds: a warm run only hashes files. A cold run builds OpenTofu and six
# providers (see infra/README.md for how long that takes).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${WILDSIDE_ENGINES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wildside/engines}"
# Reproducible binaries: the lock files commit the h1: hashes of these builds, so
# no VCS stamp of this repository may end up in them.
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

log() { printf '%s tofu-mirror: %s\n' "$(date +%T)" "$*" >&2; }

tofu_bin="$(bash "$root/scripts/engines.sh" opentofu)"
[ -x "$tofu_bin/tofu" ] || { echo "tofu-mirror: $tofu_bin/tofu is missing" >&2; exit 1; }

platform="$(go env GOOS)_$(go env GOARCH)"
entries=()
for file in "$root"/engines/providers/*/provider.txt; do
  group="providers/$(basename "$(dirname "$file")")"
  read -r source version < <(grep -vE '^\s*(#|$)' "$file")
  bin="$(bash "$root/scripts/engines.sh" "$group")"
  entries+=("$source $version $bin")
done

key=$(printf '%s\n' "$platform" "${entries[@]}" | sha256sum | cut -c1-16)
out="$cache/tofu-mirror-$key"
if [ ! -f "$out/.complete" ]; then
  log "laying out the provider mirror in $out"
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.mirror-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  for entry in "${entries[@]}"; do
    read -r source version bin <<<"$entry"
    type="${source#*/}"
    dir="$tmp/plugins/registry.opentofu.org/$source/$version/$platform"
    mkdir -p "$dir"
    cp "$bin/terraform-provider-$type" "$dir/terraform-provider-${type}_v$version"
  done
  cat >"$tmp/tofurc" <<CONFIG
# Written by scripts/tofu-mirror.sh: providers come from the local mirror only.
provider_installation {
  filesystem_mirror {
    path    = "$out/plugins"
    include = ["registry.opentofu.org/*/*"]
  }
}
disable_checkpoint = true
CONFIG
  touch "$tmp/.complete"
  rm -rf "$out"
  mv "$tmp" "$out"
  trap - EXIT
fi

printf 'TOFU=%q\nTF_CLI_CONFIG_FILE=%q\n' "$tofu_bin/tofu" "$out/tofurc"
