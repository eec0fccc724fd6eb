"""The GitHub workflow that runs tofu fmt/init/validate and tflint on GitHub-hosted runners."""

from __future__ import annotations

import subprocess

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
