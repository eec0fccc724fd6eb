#!/usr/bin/env bash
# Builds the Go engines the tests run (Kubernetes, etcd, kwok, Flux, OpenTofu
# and its providers) from the modules pinned under engines/, into a cache keyed
# by those pins. Prints each group's bin directory on stdout; progress on stderr.
#
#   scripts/engines.sh                  every group (engines/**/build.txt)
#   scripts/engines.sh kubernetes flux/source-controller
#
# A group is a directory with go.mod, go.sum and build.txt ("<binary> <package>"
# per line); an optional ldflags.txt adds linker flags, an optional env.txt build
# environment variables (NAME=value per line). The cache lives in
# $WILDSIDE_ENGINES_CACHE (default ~/.cache/wildside/engines): a warm run only
# hashes files. A cold run compiles for many minutes on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${WILDSIDE_ENGINES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wildside/engines}"
command -v go >/dev/null || { echo "engines: go is not installed; install Go 1.26 or newer" >&2; exit 2; }

groups=("$@")
if ((${#groups[@]} == 0)); then
  while IFS= read -r file; do groups+=("$(dirname "${file#"$root/engines/"}")"); done \
    < <(find "$root/engines" -name build.txt | sort)
fi

log() { printf '%s engines: %s\n' "$(date +%T)" "$*" >&2; }

for group in "${groups[@]}"; do
  dir="$root/engines/$group"
  [ -f "$dir/build.txt" ] || { echo "engines: no such group: $group (expected $dir/build.txt)" >&2; exit 2; }
  ldflags="-s -w $(cat "$dir/ldflags.txt" 2>/dev/null || true)"
  # A group that carries its own main package (.go files, embedded .json) hashes them too.
  src=$(find "$dir" -maxdepth 1 -type f \( -name '*.go' -o -name '*.json' \) | sort)
  # An optional env.txt sets build environment variables (e.g. CGO_ENABLED=0), one a line.
  envs=()
  [ -f "$dir/env.txt" ] && mapfile -t envs < <(grep -vE '^\s*(#|$)' "$dir/env.txt")
  key=$( { cat "$dir/go.mod" "$dir/go.sum" "$dir/build.txt"; echo "$ldflags"; go env GOVERSION GOOS GOARCH; [ -z "$src" ] || cat $src; [ ${#envs[@]} -eq 0 ] || printf '%s\n' "${envs[@]}"; } \
    | sha256sum | cut -c1-16)
  out="$cache/${group//\//-}-$key"
  mkdir -p "$cache"
  # One build per group at a time: a second caller (a parallel test worker, another
  # checkout) waits for the first instead of compiling the same thing beside it.
  # The kernel drops the lock when its holder dies, so a killed build blocks nothing.
  exec {lock}>"$out.lock"
  if [ ! -f "$out/.complete" ] && ! flock -n "$lock"; then
    log "waiting for another build of $group"
    flock "$lock"
  fi
  if [ -f "$out/.complete" ]; then
    exec {lock}>&-
    echo "$out/bin"
    continue
  fi
  tmp="$(mktemp -d "$cache/.build-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/bin"
  mapfile -t lines < <(grep -vE '^\s*(#|$)' "$dir/build.txt")
  i=0
  for line in "${lines[@]}"; do
    i=$((i + 1))
    read -r name package <<<"$line"
    log "building $group: $name ($i/${#lines[@]}); a cold build takes minutes"
    start=$SECONDS
    # -v names each package as it is compiled: a heartbeat counts them every
    # minute, so a cold build of many minutes shows that it advances.
    progress="$tmp/$name.build.log"
    : >"$progress"
    ( while sleep 60; do
        log "still building $name: $(((SECONDS - start) / 60)) min, $(grep -vc '^#' "$progress" || true) packages compiled"
      done ) &
    ticker=$!
    if ! (cd "$dir" && env ${envs[@]+"${envs[@]}"} go build -v -trimpath -ldflags "$ldflags" -o "$tmp/bin/$name" "$package" 2>"$progress"); then
      kill "$ticker" 2>/dev/null || true
      cat "$progress" >&2
      echo "engines: building $name ($package) failed" >&2
      exit 1
    fi
    kill "$ticker" 2>/dev/null || true
    wait "$ticker" 2>/dev/null || true
    rm -f "$progress"
    log "built $name in $((SECONDS - start)) s"
  done
  touch "$tmp/.complete"
  rm -rf "$out"
  mv "$tmp" "$out"
  trap - EXIT
  exec {lock}>&-
  echo "$out/bin"
done
