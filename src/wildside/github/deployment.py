"""A GitHub Deployment per preview (environment `pr-N`) whose status carries
`environment_url`, which GitHub shows as the "View deployment" button, and
`log_url`: queued (images building) → in_progress (committed, Flux rolling
out) → success (Flux reports Ready) / failure, and inactive when the preview
is removed. POSTs that fail ambiguously are looked up before being repeated,
so a 502 after a create never leaves two deployments."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from wildside.contract.identity import directory_name
from wildside.github.api import AmbiguousWrite, GitHubClient

CREATE_ATTEMPTS = 3


class State(StrEnum):
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    SUCCESS = "success"
    FAILURE = "failure"
    INACTIVE = "inactive"


def environment_of(pr: int) -> str:
    """The GitHub environment, `PreviewIdentity.github_environment`: the directory name."""
    return directory_name(pr)


@dataclass(frozen=True)
class DeploymentResult:
    environment: str
    deployments: list[int]
    statuses_created: int
    state: State
    # The report came late (building after the commit was already out): the
    # newer state stands.
    stale: bool = False


def _latest_status(client: GitHubClient, deployment_id: int) -> dict[str, Any] | None:
    statuses = client.get_json(
        f"repos/{{repo}}/deployments/{deployment_id}/statuses", {"per_page": 1}
    )
    return statuses[0] if isinstance(statuses, list) and statuses else None


@dataclass(frozen=True)
class Current:
    """The newest Deployment of a preview and where it stands."""

    sha: str
    state: str | None
    url: str | None


def current(client: GitHubClient, pr: int) -> Current | None:
    """GitHub lists deployments newest first; the first page's first is ours."""
    found = client.get_json(
        "repos/{repo}/deployments", {"environment": environment_of(pr), "per_page": 1}
    )
    if not isinstance(found, list) or not found:
        return None
    newest = found[0]
    latest = _latest_status(client, int(newest["id"]))
    return Current(
        sha=str(newest["sha"]),
        state=str(latest["state"]) if latest else None,
        url=(latest.get("environment_url") or None) if latest else None,
    )


def _existing(client: GitHubClient, environment: str, sha: str) -> int | None:
    found = client.paginate("repos/{repo}/deployments", {"environment": environment, "sha": sha})
    return max(int(item["id"]) for item in found) if found else None


def _find_or_create(client: GitHubClient, pr: int, sha: str) -> int:
    environment = environment_of(pr)
    payload = {
        "ref": sha,
        "environment": environment,
        "description": f"Preview of pull request #{pr}",
        "auto_merge": False,
        "required_contexts": [],
        "transient_environment": True,
        "production_environment": False,
    }
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        existing = _existing(client, environment, sha)
        if existing is not None:
            return existing
        try:
            created = client.request("POST", "repos/{repo}/deployments", json=payload).json()
        except AmbiguousWrite:
            # Perhaps created before the 5xx: the next round looks first.
            if attempt == CREATE_ATTEMPTS:
                raise
            continue
        return int(created["id"])
    raise AssertionError("unreachable")


def _post_status(client: GitHubClient, deployment_id: int, payload: dict[str, Any]) -> None:
    path = f"repos/{{repo}}/deployments/{deployment_id}/statuses"
    try:
        client.request("POST", path, json=payload)
    except AmbiguousWrite:
        latest = _latest_status(client, deployment_id)
        if latest is None or latest.get("state") != payload["state"]:
            client.request("POST", path, json=payload)


def report(
    client: GitHubClient,
    pr: int,
    state: State,
    *,
    sha: str | None = None,
    url: str | None = None,
    log_url: str | None = None,
) -> DeploymentResult:
    """Record a deploy (`sha` required) or mark every deployment of the
    environment inactive. Re-running with the same values posts nothing."""
    environment = environment_of(pr)
    if state is State.INACTIVE:
        return _deactivate(client, environment, log_url)
    if sha is None:
        raise ValueError("a deployment state other than inactive needs the commit SHA")
    deployment_id = _find_or_create(client, pr, sha)
    latest = _latest_status(client, deployment_id)
    if state is State.QUEUED and latest is not None and latest.get("state") != State.QUEUED.value:
        # The building job runs beside the image builds; should it start late,
        # its report must not move a deploying or ready preview backwards.
        known = {s.value: s for s in State}
        standing = known.get(str(latest.get("state")), state)
        return DeploymentResult(environment, [deployment_id], 0, standing, stale=True)
    if (
        latest is not None
        and latest.get("state") == state.value
        and (latest.get("environment_url") or None) == url
    ):
        return DeploymentResult(environment, [deployment_id], 0, state)
    payload: dict[str, Any] = {
        "state": state.value,
        "auto_inactive": True,
        "description": _DESCRIPTIONS[state],
    }
    if url:
        payload["environment_url"] = url
    if log_url:
        payload["log_url"] = log_url
    _post_status(client, deployment_id, payload)
    return DeploymentResult(environment, [deployment_id], 1, state)


_DESCRIPTIONS = {
    State.QUEUED: "Building the preview's images",
    State.IN_PROGRESS: "Committed; Flux is rolling the preview out",
    State.SUCCESS: "Flux reports the preview Ready",
    State.FAILURE: "The preview failed",
    State.INACTIVE: "Preview removed",
}


def _deactivate(
    client: GitHubClient, environment: str, log_url: str | None = None
) -> DeploymentResult:
    deployments = client.paginate("repos/{repo}/deployments", {"environment": environment})
    created = 0
    ids = sorted(int(item["id"]) for item in deployments)
    for deployment_id in ids:
        latest = _latest_status(client, deployment_id)
        if latest is not None and latest.get("state") == State.INACTIVE.value:
            continue
        payload = {"state": State.INACTIVE.value, "description": _DESCRIPTIONS[State.INACTIVE]}
        if log_url:
            payload["log_url"] = log_url
        _post_status(client, deployment_id, payload)
        created += 1
    return DeploymentResult(environment, ids, created, State.INACTIVE)
