#!/usr/bin/env bash
# Install the wildside CLI from the repository holding this action (the same
# commit as the action: `uses: $/...` or a SHA-pinned `uses:`) into a private
# virtualenv and put it on PATH for the following steps. Every dependency
# comes from requirements/cli.txt with its hashes checked
# (pip --require-hashes), the CLI itself is built without fetching anything
# else (--no-build-isolation with the locked setuptools).
#
# The action caches the virtualenv (actions/cache, keyed by `--print-key`):
# a venv restored for the same lock, source and Python is used as it is; one
# restored for the same lock but older source gets only the CLI reinstalled.
# Installing twice in one job is a no-op. By hand:
#   python3 -m venv venv && venv/bin/pip install --require-hashes -r requirements/cli.txt
#   venv/bin/pip install --no-deps --no-build-isolation .
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
lock="$root/requirements/cli.txt"

lock_hash() { sha256sum "$lock" | cut -c1-24; }
source_hash() {
  {
    python3 -c 'import sys; print(sys.version)'
    local parts=() part
    for part in src pyproject.toml .github/actions/wildside-app/install.sh; do
      [ -e "$root/$part" ] && parts+=("$part")
    done
    (cd "$root" && find "${parts[@]}" -type f -not -path '*/__pycache__/*' -not -name '*.pyc' \
      -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
  } | sha256sum | cut -c1-24
}

if [ "${1:-}" = "--print-key" ]; then
  # cache key and the prefix that may restore a venv of the same lock
  echo "key=wildside-cli-${RUNNER_OS:-local}-$(lock_hash)-$(source_hash)"
  echo "prefix=wildside-cli-${RUNNER_OS:-local}-$(lock_hash)-"
  exit 0
fi

case "${INPUT_INSTALL:-true}" in
  true) ;;
  false) exit 0 ;;
  *)
    echo "wildside-app: input install must be 'true' or 'false', not '$INPUT_INSTALL'" >&2
    exit 2
    ;;
esac
venv="${RUNNER_TEMP:-/tmp}/wildside-venv"
pip_options=(--disable-pip-version-check --quiet --no-input)
[ -n "${WILDSIDE_PIP_CACHE:-}" ] && pip_options+=(--cache-dir "$WILDSIDE_PIP_CACHE")
want_lock="$(lock_hash)" want_source="$(source_hash)"
if [ "$(cat "$venv/.wildside-lock" 2>/dev/null)" != "$want_lock" ] || ! "$venv/bin/python" -c '' 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install "${pip_options[@]}" --require-hashes --only-binary :all: -r "$lock"
  echo "$want_lock" > "$venv/.wildside-lock"
fi
if [ "$(cat "$venv/.wildside-source" 2>/dev/null)" != "$want_source" ] || [ ! -x "$venv/bin/wildside" ]; then
  "$venv/bin/python" -m pip install "${pip_options[@]}" --no-deps --no-build-isolation --no-index \
    --force-reinstall "$root"
  echo "$want_source" > "$venv/.wildside-source"
fi
echo "$venv/bin" >> "${GITHUB_PATH:-/dev/null}"
"$venv/bin/wildside" --help > /dev/null
