#!/usr/bin/env bash
# Install the CLI into .venv and run the main job on the embedded default:
# a local bare apps repository under .wildside/ (created on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-venv.sh
ensure_venv .venv
.venv/bin/pip install -qq --disable-pip-version-check -e .
echo "== wildside preview up --pr 1 --sha 0123abc"
.venv/bin/wildside preview up --pr 1 --sha 0123abc
echo
echo "== wildside preview list"
.venv/bin/wildside preview list
echo
echo "The preview is a commit in $(pwd)/.wildside/apps.git. Next: .venv/bin/wildside --help"
