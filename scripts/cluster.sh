#!/usr/bin/env bash
# Starts or stops the live harness cluster the e2e tests use (etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, kwok and Flux's
# four controllers on loopback ports; see tests/support/cluster.py).
#
#   scripts/cluster.sh up      build the engines if needed, start, print how to use kubectl
#   scripts/cluster.sh env     print the kubectl settings of the running cluster again
#   scripts/cluster.sh apps    serve a wildside-apps repository that Flux reconciles; print how to preview
#   scripts/cluster.sh down    stop every process of it
#
# State (kubeconfig, logs, bare Git repositories): $WILDSIDE_CLUSTER_DIR,
# default .wildside/cluster. Engines cache: ~/.cache/wildside/engines.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] && [[ "$1" =~ ^(up|down|env|apps)$ ]] || { echo "usage: scripts/cluster.sh up|down|env|apps" >&2; exit 2; }
if [ ! -x .venv/bin/python ]; then
  echo "cluster: .venv is missing; run scripts/test.sh once (it installs kubectl and the Python tools)" >&2
  exit 2
fi
export PATH="$PWD/.venv/bin:$PATH"
PYTHONPATH=tests exec .venv/bin/python -m support.cluster "$1"
