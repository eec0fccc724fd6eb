"""Flux's verdict reaches the pull request: the event notification-
controller's githubdispatch provider sends (a repository_dispatch whose
client_payload is the Flux event, in Flux's own shape) turns a deploying
preview ready — or failed with Flux's reason — on the Deployment and the one
sticky comment. Progress events, other objects and previews that are not
deploying change nothing. The Provider and Alert that send those events are
validated against Flux's CRD schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from wildside.github.comment import MARKER

from support.github_server import TOKEN, FakeGitHub
from support.schemas import validate_all

SHA = "d" * 40
URL = "https://pr-7.previews.example.com"


def dispatch(
    tmp_path: Path, *, severity: str, reason: str, message: str, name: str = "wildside-pr-7"
) -> Path:
    """What GitHub writes to $GITHUB_EVENT_PATH for Flux's repository_dispatch."""
    flux_event = {
        "involvedObject": {
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "name": name,
            "namespace": "flux-system",
            "uid": "7d0cdc51-ddcf-4743-b223-83ca5c699632",
            "resourceVersion": "4242",
        },
        "severity": severity,
        "timestamp": "2026-12-04T23:50:00Z",
        "message": message,
        "reason": reason,
        "metadata": {"kustomize.toolkit.fluxcd.io/revision": "main@sha1:" + "1" * 40},
        "reportingController": "kustomize-controller",
        "reportingInstance": "kustomize-controller-6f4b9c9d8-x2x7k",
    }
    event = {
        "action": f"Kustomization/{name}.flux-system",
        "branch": "main",
        "client_payload": flux_event,
        "repository": {"full_name": "acme/wildside"},
        "sender": {"login": "flux-dispatcher", "type": "User"},
    }
    path = tmp_path / f"event-{len(list(tmp_path.glob('event-*')))}.json"
    path.write_text(json.dumps(event))
    return path


def flux(cli: Any, github: FakeGitHub, event: Path) -> Any:
    result = cli("github", "flux-event", "--event", str(event), "--json", env=github.env())
    assert result.returncode == 0, result.stderr
    assert TOKEN not in result.stdout + result.stderr
    return result.json()


def deploying(cli: Any, github: FakeGitHub) -> int:
    result = cli(
        "github",
        "report",
        "--pr",
        "7",
        "--status",
        "deploying",
        "--sha",
        SHA,
        "--url",
        URL,
        env=github.env(),
    )
    assert result.returncode == 0, result.stderr
    return int(github.deployments[-1]["id"])


def test_ready_from_flux_turns_a_deploying_preview_ready(
    cli: Any, github: FakeGitHub, tmp_path: Path
) -> None:
    did = deploying(cli, github)
    progress = flux(
        cli,
        github,
        dispatch(
            tmp_path,
            severity="info",
            reason="Progressing",
            message="Deployment/wildside-pr-7/backend configured",
        ),
    )
    assert progress["status"] is None and progress["applied"] is False
    assert github.statuses[did][-1]["state"] == "in_progress"

    # what kustomize-controller sends once a preview's health checks pass (the
    # reason is the Ready condition's at that moment); the later "Reconciliation
    # finished" is a commit-status event that githubdispatch never receives
    ready = flux(
        cli,
        github,
        dispatch(
            tmp_path,
            severity="info",
            reason="Progressing",
            message="Health check passed in 10.100139034s",
        ),
    )
    assert ready["pr"] == 7 and ready["status"] == "ready" and ready["applied"] is True
    assert ready["revision"] == "main@sha1:" + "1" * 40
    status = github.statuses[did][-1]
    assert status["state"] == "success" and status["environment_url"] == URL
    (comment,) = github.comments[7]
    assert comment["body"].startswith(MARKER) and "Preview ready" in comment["body"]
    assert URL in comment["body"]


def test_a_flux_failure_is_reported_with_flux_s_reason(
    cli: Any, github: FakeGitHub, tmp_path: Path
) -> None:
    did = deploying(cli, github)
    failed = flux(
        cli,
        github,
        dispatch(
            tmp_path,
            severity="error",
            reason="HealthCheckFailed",
            message="health check failed after 10m0s: timeout waiting for: "
            "[Deployment/wildside-pr-7/backend status: 'InProgress']\nmore",
        ),
    )
    assert failed["status"] == "failed" and failed["applied"] is True
    assert github.statuses[did][-1]["state"] == "failure"
    body = github.comments[7][0]["body"]
    assert "Preview failed" in body and "HealthCheckFailed: health check failed" in body
    assert "more" not in body.split("HealthCheckFailed", 1)[1]


def test_stale_or_foreign_events_change_nothing(
    cli: Any, github: FakeGitHub, tmp_path: Path
) -> None:
    ready = {"severity": "info", "reason": "ReconciliationSucceeded", "message": "done"}
    # no deployment at all
    assert flux(cli, github, dispatch(tmp_path, **ready))["applied"] is False
    # newer images are building: Flux's news is about the old revision
    building = cli(
        "github", "report", "--pr", "7", "--status", "building", "--sha", SHA, env=github.env()
    )
    assert building.returncode == 0, building.stderr
    stale = flux(cli, github, dispatch(tmp_path, **ready))
    assert stale["applied"] is False and "queued" in stale["ignored"]
    # removed previews stay removed
    deploying(cli, github)
    cli("github", "report", "--pr", "7", "--status", "removed", env=github.env())
    assert flux(cli, github, dispatch(tmp_path, **ready))["applied"] is False
    # a Kustomization that is not a preview
    other = flux(cli, github, dispatch(tmp_path, name="platform-traefik", **ready))
    assert other["pr"] is None and other["applied"] is False
    assert github.violations == []


def test_what_is_not_a_flux_event_is_bad_input(
    cli: Any, github: FakeGitHub, tmp_path: Path
) -> None:
    for content in ("not json", json.dumps({"client_payload": {"nothing": 1}}), "[]"):
        path = tmp_path / "bad.json"
        path.write_text(content)
        result = cli("github", "flux-event", "--event", str(path), env=github.env())
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("wildside: error: --event")
    missing = cli("github", "flux-event", "--event", str(tmp_path / "nope.json"), env=github.env())
    assert missing.returncode == 2
    assert github.requests == []


def test_the_alert_and_provider_are_valid_flux_objects(cli: Any) -> None:
    result = cli("github", "flux-alert", "--repository", "acme/wildside")
    assert result.returncode == 0, result.stderr
    documents = list(yaml.safe_load_all(result.stdout))
    validate_all(documents)
    provider, alert = documents
    assert provider["spec"]["type"] == "githubdispatch"
    assert provider["spec"]["address"] == "https://github.com/acme/wildside"
    (source,) = alert["spec"]["eventSources"]
    assert source["matchLabels"] == {"app.kubernetes.io/managed-by": "wildside"}
    assert alert["spec"]["eventSeverity"] == "info", "success events must reach GitHub too"
    bad = cli("github", "flux-alert", "--repository", "acme/wildside", "--namespace", "Flux")
    assert bad.returncode == 2 and "--namespace" in bad.stderr
