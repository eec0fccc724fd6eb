#!/usr/bin/env bash
# Install the wildside CLI from the repository holding this action into a
# private virtualenv and put it on PATH for the following steps. Installing
# twice in one job is a no-op.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
venv="${RUNNER_TEMP:-/tmp}/wildside-venv"
if [ ! -x "$venv/bin/wildside" ]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet "$root"
fi
echo "$venv/bin" >> "${GITHUB_PATH:-/dev/null}"
"$venv/bin/wildside" --help > /dev/null
