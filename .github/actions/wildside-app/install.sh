#!/usr/bin/env bash
# Install the wildside CLI from the repository holding this action (the same
# commit as the action: `uses: $/...` or a SHA-pinned `uses:`) into a private
# virtualenv and put it on PATH for the following steps. Every dependency
# comes from requirements/cli.txt with its hashes checked
# (pip --require-hashes), the CLI itself is built without fetching anything
# else (--no-build-isolation with the locked setuptools), and pip's cache
# (WILDSIDE_PIP_CACHE, restored by the action) avoids the downloads.
# Installing twice in one job is a no-op. By hand:
#   python3 -m venv venv && venv/bin/pip install --require-hashes -r requirements/cli.txt
#   venv/bin/pip install --no-deps --no-build-isolation .
set -euo pipefail
case "${INPUT_INSTALL:-true}" in
  true) ;;
  false) exit 0 ;;
  *)
    echo "wildside-app: input install must be 'true' or 'false', not '$INPUT_INSTALL'" >&2
    exit 2
    ;;
esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
venv="${RUNNER_TEMP:-/tmp}/wildside-venv"
pip_options=(--disable-pip-version-check --quiet --no-input)
[ -n "${WILDSIDE_PIP_CACHE:-}" ] && pip_options+=(--cache-dir "$WILDSIDE_PIP_CACHE")
if [ ! -x "$venv/bin/wildside" ]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install "${pip_options[@]}" --require-hashes --only-binary :all: \
    -r "$root/requirements/cli.txt"
  "$venv/bin/python" -m pip install "${pip_options[@]}" --no-deps --no-build-isolation --no-index "$root"
fi
echo "$venv/bin" >> "${GITHUB_PATH:-/dev/null}"
"$venv/bin/wildside" --help > /dev/null
