"""The GitHub workflow (tofu fmt, validate, tflint and tofu test) and the infra action's gate check."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from support.infra_hcl import REPO
from support.tools import require_tool

WORKFLOW = REPO / ".github" / "workflows" / "infra.yml"


def test_actionlint_accepts_the_infra_workflow() -> None:
    actionlint = require_tool("actionlint")
    completed = subprocess.run(
        [actionlint, "-no-color", str(WORKFLOW)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_workflow_runs_every_required_check() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["static"]["steps"]
    uses = {step.get("uses", "").split("@")[0] for step in steps}
    assert {"opentofu/setup-opentofu", "terraform-linters/setup-tflint"} <= uses
    script = "\n".join(step.get("run", "") for step in steps)
    for command in ("tofu fmt -check", "init -backend=false", "validate", "tflint --recursive"):
        assert command in script, command
    assert workflow["permissions"] == {"contents": "read"}


def test_the_workflow_runs_tofu_test_with_the_offline_build() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["tofu-test"]["steps"]
    script = "\n".join(step.get("run", "") for step in steps)
    assert "scripts/tofu-mirror.sh" in script
    assert "-lockfile=readonly" in script, "the committed lock files must match the offline builds"
    assert '"$TOFU" -chdir="$dir" test' in script


ACTION_SCRIPT = REPO / ".github" / "actions" / "wildside-infra-k8s" / "run.sh"


def run_action(tmp_path: Path, directory: Path, var_file: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "RUNNER_TEMP": str(tmp_path),
        "INPUT_CLUSTER": "dev",
        "INPUT_TOFU_DIRECTORY": str(directory),
        "INPUT_TOFU_VAR_FILE": var_file,
        "INPUT_INFRA_REPO": "https://example.invalid/wildside-infra.git",
    }
    return subprocess.run(
        ["bash", str(ACTION_SCRIPT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_the_infra_action_applies_a_gated_root_only_with_the_declared_gate(tmp_path: Path) -> None:
    root = REPO / "infra" / "clusters"
    missing = run_action(tmp_path, root, "")
    assert missing.returncode == 2 and "should_create_cluster" in missing.stderr

    copy = tmp_path / "clusters"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".terraform*", "tests"))
    undeclared = copy / "dev" / "cluster.tfvars"
    undeclared.write_text(
        "\n".join(
            line
            for line in undeclared.read_text(encoding="utf-8").splitlines()
            if not line.startswith("should_create_cluster")
        ),
        encoding="utf-8",
    )
    refused = run_action(tmp_path, copy, "dev/cluster.tfvars")
    assert refused.returncode == 2 and "does not declare should_create_cluster" in refused.stderr
