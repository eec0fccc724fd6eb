"""The composite actions' scripts run as GitHub would run them: wildside-app
with the real CLI against a local bare apps repository and the local GitHub
stand-in; wildside-infra-k8s with `tofu` and `wildside platform render`
mocked by cmd-mox (no cloud here)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from cmd_mox import CmdMox

from wildside.core import clock
from wildside.github.comment import MARKER
from wildside.gitops import location as locations
from wildside.previews import repository as apps
from wildside.previews import service
from wildside.previews.config import AppsConfig
from wildside.previews.model import PreviewRequest

from support.github_server import TOKEN, FakeGitHub
from support.tools import REPO_ROOT, VENV_BIN

APP_SCRIPT = REPO_ROOT / ".github" / "actions" / "wildside-app" / "run.sh"
INFRA_SCRIPT = REPO_ROOT / ".github" / "actions" / "wildside-infra-k8s" / "run.sh"
SHA = "e" * 40


def outputs(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def run_script(
    script: Path, tmp_path: Path, env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    output = tmp_path / f"output-{len(list(tmp_path.glob('output-*')))}"
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    completed = subprocess.run(
        ["bash", str(script)],
        env={
            **os.environ,
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
            "RUNNER_TEMP": str(runner_temp),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_RUN_ID": "42",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert list(runner_temp.iterdir()) == [], "the script left files in RUNNER_TEMP"
    return completed, outputs(output)


def test_wildside_app_deploys_caps_and_tears_down_with_feedback(
    github: FakeGitHub, bare_repo: Path, tmp_path: Path
) -> None:
    location = locations.resolve(
        str(bare_repo), None, env_variable=apps.ENV_VARIABLE, default_dir=apps.DEFAULT_DIR
    )
    apps.init(location, AppsConfig())
    for pr in (1, 2):
        service.up(location, PreviewRequest(pr=pr, sha=SHA), clock.utc_now())
    github.pulls.update({7: "open", 8: "open", 9: "closed"})
    summary = tmp_path / "summary.md"
    base = github.env() | {
        "INPUT_APPS_REPO": str(bare_repo),
        "INPUT_REPOSITORY": github.repository,
        "INPUT_FEEDBACK": "true",
        "INPUT_SHA": SHA,
        "INPUT_MAX_PREVIEWS": "3",
        "INPUT_IMAGES": "backend=ghcr.io/acme/wildside-backend\n frontend=ghcr.io/acme/wildside-frontend\n",
        "INPUT_PIN": "false",
        "GITHUB_STEP_SUMMARY": str(summary),
    }

    up, out = run_script(APP_SCRIPT, tmp_path, base | {"INPUT_COMMAND": "up", "INPUT_PR": "7"})
    assert up.returncode == 0, up.stderr
    assert out["status"] == "deployed" and out["changed"] == "true"
    assert out["url"] == "https://pr-7.previews.example.com"
    assert "https://pr-7.previews.example.com" in github.comments[7][0]["body"]
    deployment = next(d for d in github.deployments if d["environment"] == "pr-7")
    assert github.statuses[deployment["id"]][-1]["environment_url"] == out["url"]
    assert github.statuses[deployment["id"]][-1]["state"] == "in_progress", (
        "committed is not Ready: success comes from Flux"
    )
    assert "Preview deploying" in summary.read_text()

    capped, out = run_script(APP_SCRIPT, tmp_path, base | {"INPUT_COMMAND": "up", "INPUT_PR": "8"})
    assert capped.returncode == 0, capped.stderr
    assert out["status"] == "capped"
    assert (
        "::warning title=Preview cap reached::preview cap reached: 3 previews exist"
        in capped.stdout
    )
    assert "cap reached" in github.comments[8][0]["body"]
    assert not any(d["environment"] == "pr-8" for d in github.deployments)

    late, out = run_script(APP_SCRIPT, tmp_path, base | {"INPUT_COMMAND": "up", "INPUT_PR": "9"})
    assert late.returncode == 0, late.stderr
    assert out["status"] == "skipped", "a deploy for a closed pull request must write nothing"
    assert 9 not in [record.pr for record in service.list_previews(location)[0]]
    assert 9 not in github.comments
    assert not any(d["environment"] == "pr-9" for d in github.deployments)

    down, out = run_script(APP_SCRIPT, tmp_path, base | {"INPUT_COMMAND": "down", "INPUT_PR": "7"})
    assert down.returncode == 0, down.stderr
    assert out["status"] == "removed" and out["changed"] == "true"
    assert len(github.comments[7]) == 1 and "Preview removed" in github.comments[7][0]["body"]
    assert github.statuses[deployment["id"]][-1]["state"] == "inactive"

    never, out = run_script(
        APP_SCRIPT, tmp_path, base | {"INPUT_COMMAND": "down", "INPUT_PR": "99"}
    )
    assert never.returncode == 0, never.stderr
    assert 99 not in github.comments, "a pull request without a preview got a teardown comment"

    failed, out = run_script(
        APP_SCRIPT,
        tmp_path,
        base
        | {
            "INPUT_COMMAND": "up",
            "INPUT_PR": "7",
            "INPUT_APPS_REPO": str(tmp_path / "missing.git"),
        },
    )
    assert failed.returncode == 2  # the CLI's exit code is kept
    assert out["status"] == "failed"
    assert github.comments[7][0]["body"].startswith(MARKER)
    assert "Preview failed" in github.comments[7][0]["body"]

    for result in (up, capped, late, down, never, failed):
        assert TOKEN not in result.stdout + result.stderr
    assert github.violations == []


def test_a_refused_comment_leaves_a_successful_deploy_green_with_its_deployment(
    github: FakeGitHub, bare_repo: Path, tmp_path: Path
) -> None:
    """The 403-on-comment case: the preview is pushed, the Deployment says so,
    the job warns and stays green."""
    location = locations.resolve(
        str(bare_repo), None, env_variable=apps.ENV_VARIABLE, default_dir=apps.DEFAULT_DIR
    )
    apps.init(location, AppsConfig())
    github.pulls.update({7: "open"})
    github.fail(
        "POST", r"/comments$", 403, body={"message": "Resource not accessible by integration"}
    )
    env = github.env() | {
        "INPUT_COMMAND": "up",
        "INPUT_PR": "7",
        "INPUT_SHA": SHA,
        "INPUT_APPS_REPO": str(bare_repo),
        "INPUT_REPOSITORY": github.repository,
        "GITHUB_ACTIONS": "true",
    }
    result, out = run_script(APP_SCRIPT, tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert out["status"] == "deployed" and out["changed"] == "true"
    assert "::warning title=Preview feedback::the comment on #7 was not updated" in result.stderr
    (deployment,) = github.deployments
    assert github.statuses[deployment["id"]][-1]["state"] == "in_progress"
    assert 7 not in github.comments


def test_wildside_app_turns_flux_s_dispatch_into_ready(github: FakeGitHub, tmp_path: Path) -> None:
    deploying = subprocess.run(
        [
            str(VENV_BIN / "wildside"),
            "github",
            "report",
            "--pr",
            "7",
            "--status",
            "deploying",
            "--sha",
            SHA,
            "--url",
            "https://pr-7.previews.example.com",
        ],
        env={**os.environ, **github.env()},
        capture_output=True,
        text=True,
        check=False,
    )
    assert deploying.returncode == 0, deploying.stderr
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "action": "Kustomization/wildside-pr-7.flux-system",
                "client_payload": {
                    "involvedObject": {
                        "kind": "Kustomization",
                        "name": "wildside-pr-7",
                        "namespace": "flux-system",
                    },
                    "severity": "info",
                    "reason": "ReconciliationSucceeded",
                    "message": "Reconciliation finished in 3s",
                    "metadata": {"revision": "main@sha1:" + "1" * 40},
                },
            }
        )
    )
    result, out = run_script(
        APP_SCRIPT,
        tmp_path,
        github.env()
        | {
            "INPUT_COMMAND": "flux-event",
            "INPUT_REPOSITORY": github.repository,
            "GITHUB_EVENT_PATH": str(event),
        },
    )
    assert result.returncode == 0, result.stderr
    assert out["status"] == "ready"
    (deployment,) = github.deployments
    assert github.statuses[deployment["id"]][-1]["state"] == "success"
    assert "Preview ready" in github.comments[7][0]["body"]


def test_boolean_inputs_accept_only_true_and_false(github: FakeGitHub, tmp_path: Path) -> None:
    for name, value in (("INPUT_DRY_RUN", "yes"), ("INPUT_FEEDBACK", "True"), ("INPUT_PIN", "1")):
        result, out = run_script(
            APP_SCRIPT,
            tmp_path,
            github.env() | {"INPUT_COMMAND": "gc", "INPUT_APPS_REPO": "x", name: value},
        )
        assert result.returncode == 2, (name, result.stderr)
        assert f"'{value}'" in result.stderr and out == {}
    assert github.requests == []


def test_wildside_app_gc_reports_a_refusal_as_failure(
    github: FakeGitHub, bare_repo: Path, tmp_path: Path
) -> None:
    location = locations.resolve(
        str(bare_repo), None, env_variable=apps.ENV_VARIABLE, default_dir=apps.DEFAULT_DIR
    )
    apps.init(location, AppsConfig())
    service.up(location, PreviewRequest(pr=1, sha=SHA), clock.utc_now())
    github.fail("GET", r"/pulls$", 502, times=100)
    result, out = run_script(
        APP_SCRIPT,
        tmp_path,
        github.env()
        | {
            "INPUT_COMMAND": "gc",
            "INPUT_APPS_REPO": str(bare_repo),
            "INPUT_REPOSITORY": github.repository,
            "WILDSIDE_GITHUB_MAX_SLEEP": "1",
        },
    )
    assert result.returncode == 1
    assert out["status"] == "failed"
    assert "preview gc refused" in result.stderr
    assert json.loads(result.stdout)["refused"]


def test_wildside_infra_k8s_applies_then_renders_from_the_outputs(tmp_path: Path) -> None:
    root = tmp_path / "clusters" / "dev"
    root.mkdir(parents=True)
    tofu_outputs = {"cluster_name": {"sensitive": False, "type": "string", "value": "dev"}}
    seen: dict[str, Any] = {}

    def render(invocation: Any) -> tuple[str, str, int]:
        args = invocation.args
        outputs_file = Path(args[args.index("--tofu-outputs") + 1])
        seen["outputs"] = json.loads(outputs_file.read_text())
        seen["mode"] = oct(outputs_file.stat().st_mode & 0o777)
        seen["args"] = args
        return json.dumps({"changed": True, "commit": "abc123"}), "", 0

    tofu_calls: list[list[str]] = []

    def tofu(invocation: Any) -> tuple[str, str, int]:
        tofu_calls.append(list(invocation.args))
        if invocation.args[1] == "output":
            return json.dumps(tofu_outputs), "", 0
        return "", "", 0

    with CmdMox() as mox:
        mox.mock("tofu").runs(tofu).times(3)
        mox.mock("wildside").runs(render)
        mox.replay()
        result, out = run_script(
            INFRA_SCRIPT,
            tmp_path,
            {
                "PATH": os.environ["PATH"],
                "INPUT_TOFU_DIRECTORY": str(root),
                "INPUT_CLUSTER": "dev",
                "INPUT_INFRA_REPO": "https://github.com/acme/wildside-infra.git",
                "INPUT_CONFIG_DIR": "platform",
            },
        )
        mox.verify()
    assert result.returncode == 0, result.stderr
    assert out == {"changed": "true", "commit": "abc123"}
    chdir = f"-chdir={root}"
    assert tofu_calls == [
        [chdir, "init", "-input=false", "-no-color"],
        [chdir, "apply", "-input=false", "-auto-approve", "-no-color", "-lock-timeout=10m"],
        [chdir, "output", "-no-color", "-json"],
    ]
    assert seen["outputs"] == tofu_outputs
    assert seen["mode"] == "0o600", "tofu outputs may be sensitive: readable by the owner only"
    args = seen["args"]
    assert args[:2] == ["platform", "render"]
    assert args[args.index("--cluster") + 1] == "dev"
    assert args[args.index("--config-dir") + 1] == "platform"
    assert args[args.index("--repo") + 1] == "https://github.com/acme/wildside-infra.git"
    assert "--json" in args and "--all" not in args


def test_wildside_infra_k8s_refuses_ambiguous_targets(tmp_path: Path) -> None:
    for env in (
        {"INPUT_ALL": "true", "INPUT_CLUSTER": "dev"},
        {"INPUT_ALL": "false", "INPUT_CLUSTER": ""},
    ):
        result, _ = run_script(
            INFRA_SCRIPT,
            tmp_path,
            env | {"INPUT_TOFU_DIRECTORY": str(tmp_path), "INPUT_INFRA_REPO": "x"},
        )
        assert result.returncode == 2
        assert "cluster" in result.stderr
