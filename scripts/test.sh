#!/usr/bin/env bash
# The project's test command: installs every tool the tests use, then runs
# formatting, lint, type checks and the test suite. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(postgresql prometheus prometheus-alertmanager openssl)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "== installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

source scripts/ensure-venv.sh
stamp_of() { sha256sum "$@" | sha256sum | cut -c1-16; }

if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.stamp 2>/dev/null)" != "$(stamp_of pyproject.toml)" ]; then
  echo "== installing the package and its test tools into .venv"
  ensure_venv .venv
  .venv/bin/pip install -qq --upgrade pip >/dev/null
  .venv/bin/pip install -qq -e '.[test]'
  stamp_of pyproject.toml > .venv/.stamp
fi

# checkov pins old packaging and replaces python-hcl2's module: it gets its own venv.
CHECKOV_VERSION=3.3.30
if [ "$(cat .venv-checkov/.stamp 2>/dev/null)" != "$CHECKOV_VERSION" ]; then
  echo "== installing checkov $CHECKOV_VERSION into .venv-checkov"
  ensure_venv .venv-checkov
  .venv-checkov/bin/pip install -qq "checkov==$CHECKOV_VERSION"
  echo "$CHECKOV_VERSION" > .venv-checkov/.stamp
fi
export WILDSIDE_CHECKOV="$PWD/.venv-checkov/bin/checkov"

# Static checks first: a lint error should not wait for a cold engine build.
echo "== ruff format --check"
.venv/bin/ruff format --check src tests benchmarks
echo "== ruff check"
.venv/bin/ruff check src tests benchmarks
echo "== mypy --strict"
.venv/bin/mypy

# The infra tests run the real OpenTofu and providers, built from the Go modules
# pinned under engines/ into a cache: a cold build took 24 minutes on a fresh, busy 2-core
# machine, a warm run takes a second (see infra/README.md). Progress goes to stderr.
echo "== OpenTofu, its providers and terraform-docs (scripts/tofu-mirror.sh)"
bash scripts/tofu-mirror.sh >/dev/null
bash scripts/engines.sh terraform-docs >/dev/null

# The e2e tier's live cluster (tests/e2e, tests/support/cluster.py): Kubernetes,
# etcd, kwok and Flux built from the Go modules pinned under engines/, cached
# in ~/.cache/wildside/engines by those pins. A first build takes many minutes
# (progress below); a warm one only hashes files. Go missing fails the run.
echo "== engines for the live cluster (scripts/engines.sh)"
bash scripts/engines.sh kubernetes flux/source-controller flux/kustomize-controller \
  flux/helm-controller flux/notification-controller >/dev/null

echo "== pytest (the e2e tier runs on one worker, against one live cluster)"
export PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/pytest -n "${WILDSIDE_TEST_WORKERS:-2}" --dist loadgroup "$@"
