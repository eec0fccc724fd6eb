"""The composite action: it passes actionlint (through a workflow that uses
it, which makes actionlint check the action's metadata), keeps secrets out
of its scripts' text, masks them first, and its scripts really run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from support.openbao import run_bootstrap
from support.tools import REPO_ROOT, require_tool

ACTION = REPO_ROOT / ".github/actions/bootstrap-vault-appliance/action.yml"
WORKFLOW = REPO_ROOT / ".github/workflows/vault-bootstrap.yml"
EXAMPLES = REPO_ROOT / "examples" / "clusters"
SECRET_INPUTS = {"unseal-keys", "vault-token", "bootstrap-secret-id", "digitalocean-token"}


def load_action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION.read_text())
    return loaded


def test_actionlint_accepts_the_workflow_and_the_action_it_uses() -> None:
    completed = subprocess.run(
        [require_tool("actionlint"), "-no-color", str(WORKFLOW.relative_to(REPO_ROOT))],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_secrets_reach_scripts_only_through_the_environment() -> None:
    action = load_action()
    assert set(action["inputs"]) >= SECRET_INPUTS
    assert set(action["outputs"]) == {"vault-address", "ca-certificate", "approle-role-id"}
    steps = action["runs"]["steps"]
    for step in steps:
        for name in SECRET_INPUTS:
            assert f"inputs.{name}" not in step.get("run", ""), step.get("name")
    first = steps[0]
    assert "add-mask" in first["run"]
    masked = {value.split("inputs.")[1].rstrip(" }") for value in first["env"].values()}
    assert masked == SECRET_INPUTS


def run_step(
    step: dict[str, Any], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_action_scripts_unseal_and_report(make_bao: Any, tmp_path: Path) -> None:
    bao = make_bao("raft")
    state = tmp_path / "state.json"
    assert run_bootstrap(bao.address, "--state-file", str(state)).returncode == 0
    bao.restart()  # a rebooted appliance: sealed, the action has work to do
    shares = json.loads(state.read_text())["unseal_keys_b64"]
    runner = tmp_path / "runner"
    runner.mkdir()
    (runner / "wildside-venv").symlink_to(Path(sys.executable).parent.parent)
    output, summary = runner / "output", runner / "summary"
    steps = load_action()["runs"]["steps"]
    stored = json.loads(state.read_text())
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("VAULT_")},
        "RUNNER_TEMP": str(runner),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "UNSEAL_KEYS": "\n".join(shares),
        "VAULT_TOKEN_INPUT": "",
        "BOOTSTRAP_SECRET_ID": stored["bootstrap_secret_id"],
        "DO_TOKEN": "",
    }
    masking = run_step(steps[0], env, tmp_path)
    assert masking.returncode == 0, masking.stderr
    assert masking.stdout.count("::add-mask::") == len(shares) + 1
    env |= {
        "INPUT_ENVIRONMENT": "dev",
        "INPUT_DROPLET_TAG": "",
        "INPUT_CA": "",
        "INPUT_KUBERNETES_HOST": "",
        "INPUT_KUBERNETES_CA": "",
        "INPUT_CLUSTER_CONFIGS": f"{EXAMPLES / 'dev.yaml'}\n{EXAMPLES / 'staging.yaml'}\n",
        "INPUT_UNSEAL_ONLY": "false",
        "VAULT_ADDR": bao.address,
        "VAULT_TOKEN": "",
        "WILDSIDE_VAULT_UNSEAL_KEYS": "\n".join(shares),
        "WILDSIDE_VAULT_BOOTSTRAP_ROLE_ID": stored["bootstrap_role_id"],
        "WILDSIDE_VAULT_BOOTSTRAP_SECRET_ID": stored["bootstrap_secret_id"],
        "DIGITALOCEAN_ACCESS_TOKEN": "",
    }
    bootstrap = next(step for step in steps if step.get("id") == "bootstrap")
    completed = run_step(bootstrap, env, tmp_path)
    assert completed.returncode == 0, completed.stderr
    outputs = output.read_text()
    assert f"vault-address={bao.address}\n" in outputs
    role_id = outputs.split("approle-role-id=")[1].splitlines()[0]
    assert role_id and f"::add-mask::{role_id}" in completed.stdout
    assert "| unseal | unsealed |" in summary.read_text()
    assert "| kv-mount secret/ | verified |" in summary.read_text()
    for cluster in ("dev", "staging"):
        assert f"| policy wildside-external-secrets-{cluster} | created |" in summary.read_text()
    assert bao.health()["sealed"] is False
    for secret in [*shares, stored["bootstrap_secret_id"]]:
        assert secret not in completed.stdout + completed.stderr + outputs + summary.read_text()
    assert not (runner / "vault-bootstrap.json").exists()
