#!/usr/bin/env bash
# Apply the OpenTofu root, then render and commit the platform tree from its
# outputs. The outputs file may hold sensitive values (tofu prints them in
# clear with -json), so it lives in a private temporary directory removed on
# exit and is never printed.
set -euo pipefail

if [ "${INPUT_ALL:-false}" = "true" ] && [ -n "${INPUT_CLUSTER:-}" ]; then
  echo "wildside-infra-k8s: give either cluster or all='true', not both" >&2
  exit 2
fi
if [ "${INPUT_ALL:-false}" != "true" ] && [ -z "${INPUT_CLUSTER:-}" ]; then
  echo "wildside-infra-k8s: give cluster: NAME or all: 'true'" >&2
  exit 2
fi
if [ ! -d "$INPUT_TOFU_DIRECTORY" ]; then
  echo "wildside-infra-k8s: tofu-directory '$INPUT_TOFU_DIRECTORY' does not exist" >&2
  exit 2
fi

# A root gated by should_create_cluster (infra/clusters) declares the gate in each
# cluster's tfvars, and the gate has no default: apply it only with that file, so an
# apply can never fall back to "no cluster" and destroy one.
if grep -qs 'variable "should_create_cluster"' "$INPUT_TOFU_DIRECTORY"/*.tf && [ -z "${INPUT_TOFU_VAR_FILE:-}" ]; then
  echo "wildside-infra-k8s: $INPUT_TOFU_DIRECTORY is gated by should_create_cluster; give tofu-var-file: <cluster>/cluster.tfvars, which declares the gate" >&2
  exit 2
fi
if [ -n "${INPUT_TOFU_VAR_FILE:-}" ] && grep -qs 'variable "should_create_cluster"' "$INPUT_TOFU_DIRECTORY"/*.tf \
  && ! grep -Eqs '^\s*should_create_cluster\s*=' "$INPUT_TOFU_DIRECTORY/$INPUT_TOFU_VAR_FILE"; then
  echo "wildside-infra-k8s: $INPUT_TOFU_VAR_FILE does not declare should_create_cluster (see infra/README.md, the gate)" >&2
  exit 2
fi

umask 077
work="$(mktemp -d "${RUNNER_TEMP:-/tmp}/wildside-infra.XXXXXX")"
trap 'rm -rf "$work"' EXIT
outputs="$work/outputs.json"

init=(init -input=false -no-color)
[ -n "${INPUT_TOFU_BACKEND_CONFIG:-}" ] && init+=("-backend-config=$INPUT_TOFU_BACKEND_CONFIG")
tofu -chdir="$INPUT_TOFU_DIRECTORY" "${init[@]}"
apply=(apply -input=false -auto-approve -no-color -lock-timeout=10m)
[ -n "${INPUT_TOFU_VAR_FILE:-}" ] && apply+=("-var-file=$INPUT_TOFU_VAR_FILE")
tofu -chdir="$INPUT_TOFU_DIRECTORY" "${apply[@]}"
tofu -chdir="$INPUT_TOFU_DIRECTORY" output -no-color -json > "$outputs"

render=(platform render --tofu-outputs "$outputs" --repo "$INPUT_INFRA_REPO" --json)
if [ "${INPUT_ALL:-false}" = "true" ]; then
  render+=(--all)
else
  render+=(--cluster "$INPUT_CLUSTER")
fi
[ -n "${INPUT_CONFIG_DIR:-}" ] && render+=(--config-dir "$INPUT_CONFIG_DIR")
wildside "${render[@]}" > "$work/render.json"

python3 - "$work/render.json" >> "${GITHUB_OUTPUT:-/dev/null}" <<'PY'
import json
import sys

result = json.load(open(sys.argv[1]))
items = result if isinstance(result, list) else [result]
changed = any(bool(item.get("changed")) for item in items if isinstance(item, dict))
commits = [item.get("commit") for item in items if isinstance(item, dict) and item.get("commit")]
print(f"changed={'true' if changed else 'false'}")
print(f"commit={commits[-1] if commits else ''}")
PY
