"""Ready means Flux says Ready, end to end on the live harness: the Provider
and Alert `wildside github flux-alert` prints, applied to the cluster, make
the real notification-controller send the preview Kustomization's events to
(the local stand-in of) GitHub as repository_dispatch; the event it sends
once the preview is Ready, handed to `wildside github flux-event` as the
workflow would (its $GITHUB_EVENT_PATH), turns the Deployment to success and
the sticky comment to ready."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wildside.github.comment import MARKER

from support.cluster import FLUX_NAMESPACE, Cluster, wait_until
from support.github_server import TOKEN, FakeGitHub
from support.gitops_env import AppsEnvironment
from support.tools import require_tool

PR = 215
SHA = "f" * 40
URL = f"https://pr-{PR}.previews.dev.example.com"
NOTIFICATION = f"/apis/notification.toolkit.fluxcd.io/v1beta3/namespaces/{FLUX_NAMESPACE}"


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_tool("wildside"), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def github(cluster: Cluster) -> Iterator[FakeGitHub]:
    server = FakeGitHub().start()
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "wildside-github-dispatch", "namespace": FLUX_NAMESPACE},
        "stringData": {"token": TOKEN},
    }
    cluster.apply([secret])
    printed = cli(
        "github", "flux-alert", "--repository", server.repository, "--server-url", server.url,
        env=server.env(),
    )  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    cluster.apply(printed.stdout)
    yield server
    for kind, name in (("alerts", "wildside-previews"), ("providers", "wildside-previews-github")):
        cluster.kubectl("delete", "--ignore-not-found", "-n", FLUX_NAMESPACE, kind, name)
    server.stop()


def ready_dispatch(github: FakeGitHub) -> dict[str, Any] | None:
    wanted = f"Kustomization/wildside-pr-{PR}.{FLUX_NAMESPACE}"
    for dispatch in github.dispatches:
        payload = dispatch["client_payload"]
        if dispatch["event_type"] == wanted and str(payload.get("message")).startswith(
            "Health check passed"
        ):
            return dispatch
    return None


def test_flux_s_ready_event_turns_the_pull_request_ready(
    cluster: Cluster, apps: AppsEnvironment, github: FakeGitHub, tmp_path: Path
) -> None:
    # v1beta3 Alerts and Providers are static (no status): they only need to exist.
    assert cluster.get(f"{NOTIFICATION}/providers/wildside-previews-github")
    assert cluster.get(f"{NOTIFICATION}/alerts/wildside-previews")
    deploying = cli(
        "github", "report", "--pr", str(PR), "--status", "deploying", "--sha", SHA, "--url", URL,
        env=github.env(),
    )  # fmt: skip
    assert deploying.returncode == 0, deploying.stderr

    apps.preview("up", "--pr", str(PR), "--sha", SHA)
    head = apps.sync()
    try:
        wait_until(
            lambda: apps.preview_ready(PR, head),
            timeout=240,
            what=f"preview {PR} to be Ready",
            detail=lambda: apps.describe(PR),
        )
        dispatch = wait_until(
            lambda: ready_dispatch(github),
            timeout=60,
            what="notification-controller to dispatch the health check's success to GitHub",
            detail=lambda: (
                json.dumps(
                    [
                        (d["event_type"], d["client_payload"].get("reason"))
                        for d in github.dispatches
                    ]
                )
                + f"\nviolations: {github.violations}\n"
                + cluster.log_tail("notification-controller", 6)
            ),
        )
        # What GitHub writes to $GITHUB_EVENT_PATH for the repository_dispatch.
        event = tmp_path / "event.json"
        event.write_text(json.dumps({"action": dispatch["event_type"], **dispatch}))
        result = cli("github", "flux-event", "--event", str(event), "--json", env=github.env())
        assert result.returncode == 0, result.stderr
        outcome = json.loads(result.stdout)
        assert outcome["pr"] == PR and outcome["status"] == "ready" and outcome["applied"]
        (deployment,) = [d for d in github.deployments if d["environment"] == f"pr-{PR}"]
        assert github.statuses[deployment["id"]][-1]["state"] == "success"
        assert github.statuses[deployment["id"]][-1]["environment_url"] == URL
        (comment,) = github.comments[PR]
        assert comment["body"].startswith(MARKER) and "Preview ready" in comment["body"]
        assert github.violations == []
    finally:
        apps.preview("down", "--pr", str(PR))
        apps.sync()
