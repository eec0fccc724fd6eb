"""The reusable workflows, the example caller and both composite actions,
linted by the real actionlint, including its cross-file checks (inputs,
secrets and permissions of called workflows, inputs of local actions)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from support.tools import REPO_ROOT, require_tool

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
ACTIONS = REPO_ROOT / ".github" / "actions"
EXAMPLE = REPO_ROOT / "examples" / "app-repository" / ".github" / "workflows"
REMOTE = re.compile(r"wildside/wildside-previews/(\.github/workflows/[\w.-]+\.yml)@v1")


def actionlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_tool("actionlint"), "-no-color", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict)
    return document


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # PyYAML reads the key `on` as the boolean True.
    value = workflow.get("on", workflow.get(True))
    assert isinstance(value, dict)
    return value


def test_every_workflow_of_the_project_lints_clean() -> None:
    result = actionlint(cwd=REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_example_caller_lints_against_the_reusable_workflows(tmp_path: Path) -> None:
    """Lay the example out as an application repository whose `uses:` point
    at local copies of our workflows and actions, so actionlint checks the
    inputs, secrets and permissions across files."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    for path in (
        WORKFLOWS / name
        for name in ("preview.yml", "preview-teardown.yml", "preview-gc.yml", "preview-status.yml")
    ):
        shutil.copy(path, workflows / path.name)
    # `uses: $/...` resolves to the reusable workflows' own repository: here,
    # the laid-out one
    shutil.copytree(ACTIONS, tmp_path / ".github" / "actions")
    callers = sorted(EXAMPLE.glob("*.yml"))
    assert {p.name for p in callers} == {"previews.yml", "preview-gc.yml", "preview-status.yml"}
    for caller in callers:
        text = caller.read_text()
        assert REMOTE.search(text)
        (workflows / f"caller-{caller.name}").write_text(REMOTE.sub(r"./\1", text))
    result = actionlint(cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr

    # and the cross-file checks really run: a missing secret is caught
    broken = (workflows / "caller-previews.yml").read_text().replace("apps-token:", "apps-tokn:")
    (workflows / "caller-previews.yml").write_text(broken)
    result = actionlint(cwd=tmp_path)
    assert result.returncode == 1 and "apps-token" in result.stdout
    # as is an action input that does not exist
    deploy = (workflows / "preview.yml").read_text().replace("command: up", "comand: up", 1)
    (workflows / "preview.yml").write_text(deploy)
    assert "comand" in actionlint(cwd=tmp_path).stdout


def test_the_example_callers_are_about_twenty_lines() -> None:
    for caller in EXAMPLE.glob("*.yml"):
        assert len(caller.read_text().splitlines()) <= 30, caller.name


def test_teardown_never_shares_the_cancellable_deploy_group() -> None:
    deploy = load(WORKFLOWS / "preview.yml")["concurrency"]
    teardown = load(WORKFLOWS / "preview-teardown.yml")["concurrency"]
    gc = load(WORKFLOWS / "preview-gc.yml")["concurrency"]
    assert deploy["cancel-in-progress"] is True
    assert "github.event.pull_request.number" in deploy["group"]
    assert teardown["cancel-in-progress"] is False
    assert gc["cancel-in-progress"] is False
    assert len({deploy["group"], teardown["group"], gc["group"]}) == 3
    assert not teardown["group"].startswith(deploy["group"].split("$")[0])


def test_jobs_ask_for_least_privilege() -> None:
    expected = {
        ("preview.yml", "plan"): {},
        ("preview.yml", "not-built"): {},
        ("preview.yml", "building"): {"pull-requests": "write", "deployments": "write"},
        ("preview.yml", "build"): {"contents": "read", "packages": "write"},
        ("preview.yml", "deploy"): {"pull-requests": "write", "deployments": "write"},
        ("preview.yml", "report-failure"): {"pull-requests": "write", "deployments": "write"},
        ("preview-teardown.yml", "teardown"): {"pull-requests": "write", "deployments": "write"},
        ("preview-gc.yml", "gc"): {"pull-requests": "write", "deployments": "write"},
        ("preview-status.yml", "status"): {"pull-requests": "write", "deployments": "write"},
    }
    for name in ("preview.yml", "preview-teardown.yml", "preview-gc.yml", "preview-status.yml"):
        workflow = load(WORKFLOWS / name)
        assert workflow["permissions"] == {}, name
        for job_name, job in workflow["jobs"].items():
            assert job["permissions"] == expected[(name, job_name)], (name, job_name)


def test_the_preview_is_written_only_after_every_image_was_pushed() -> None:
    workflow = load(WORKFLOWS / "preview.yml")
    jobs = workflow["jobs"]
    assert "build" in jobs["deploy"]["needs"]
    build_steps = [step.get("uses", "") for step in jobs["build"]["steps"]]
    assert any(uses.startswith("docker/login-action@") for uses in build_steps)
    push = next(
        s
        for s in jobs["build"]["steps"]
        if s.get("uses", "").startswith("docker/build-push-action@")
    )
    assert push["with"]["push"] is True
    assert push["with"]["tags"].endswith(":${{ github.event.pull_request.head.sha }}")
    assert (
        jobs["build"]["strategy"]["matrix"]["include"]
        == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    )
    up = next(s for s in jobs["deploy"]["steps"] if s.get("with", {}).get("command") == "up")
    assert up["uses"] == "$/.github/actions/wildside-app"
    assert triggers(workflow)["workflow_call"]["inputs"]["registry"]["default"] == "ghcr.io"


def test_drafts_opt_outs_and_forks_are_skipped_and_the_pin_label_pins() -> None:
    jobs = load(WORKFLOWS / "preview.yml")["jobs"]
    condition = jobs["plan"]["if"]
    assert "!github.event.pull_request.draft" in condition
    assert "inputs.opt-out-label" in condition
    assert "head.repo.full_name == github.repository" in condition
    assert "user.login != 'dependabot[bot]'" in condition
    explain = jobs["not-built"]["if"]
    assert "head.repo.full_name != github.repository" in explain and "dependabot" in explain
    up = next(s for s in jobs["deploy"]["steps"] if s.get("with", {}).get("command") == "up")
    assert "inputs.pin-label" in up["with"]["pin"]
    assert up["with"]["max-previews"] == "${{ inputs.max-previews }}"


def test_actions_document_every_input_and_output() -> None:
    for action in ("wildside-app", "wildside-infra-k8s"):
        metadata = load(ACTIONS / action / "action.yml")
        assert metadata["runs"]["using"] == "composite"
        for kind in ("inputs", "outputs"):
            for name, spec in metadata[kind].items():
                assert spec.get("description"), f"{action} {kind[:-1]} {name}"
        docs = (REPO_ROOT / "docs" / "github.md").read_text()
        for name in metadata["inputs"]:
            assert f"`{name}`" in docs, f"docs/github.md does not document {action} input {name}"


def test_gc_inputs_keep_zero_and_refuse_non_booleans() -> None:
    step = load(WORKFLOWS / "preview-gc.yml")["jobs"]["gc"]["steps"][0]["with"]
    # `inputs.max-deletions || 10` turned 0 into 10
    assert "|| 10" not in step["max-deletions"].replace("&& 10 ||", "")
    assert step["dry-run"] == "${{ inputs.dry-run }}"
