#!/usr/bin/env bash
# Regenerate requirements/cli.txt, the hashed lock the composite actions
# install the CLI from (pip install --require-hashes). Run it after changing a
# runtime dependency in pyproject.toml and requirements/cli.in;
# tests/github/test_supply_chain.py fails while the two disagree.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${TMPDIR:-/tmp}/wildside-lock-venv"
[ -x "$venv/bin/pip-compile" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q "pip-tools==7.7.0"; }
"$venv/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras \
  --no-emit-index-url --no-emit-find-links --output-file requirements/cli.txt requirements/cli.in
