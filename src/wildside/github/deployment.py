"""A GitHub Deployment per preview (environment `pr-N`) whose status carries
`environment_url`, which GitHub shows as the "View deployment" button; marked
inactive when the preview is removed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from wildside.contract.identity import directory_name
from wildside.github.api import GitHubClient


class State(StrEnum):
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


def _latest_status(client: GitHubClient, deployment_id: int) -> dict[str, Any] | None:
    statuses = client.get_json(
        f"repos/{{repo}}/deployments/{deployment_id}/statuses", {"per_page": 1}
    )
    return statuses[0] if isinstance(statuses, list) and statuses else None


def _find_or_create(client: GitHubClient, pr: int, sha: str) -> int:
    environment = environment_of(pr)
    existing = client.paginate("repos/{repo}/deployments", {"environment": environment, "sha": sha})
    if existing:
        return max(int(item["id"]) for item in existing)
    created = client.request(
        "POST",
        "repos/{repo}/deployments",
        json={
            "ref": sha,
            "environment": environment,
            "description": f"Preview of pull request #{pr}",
            "auto_merge": False,
            "required_contexts": [],
            "transient_environment": True,
            "production_environment": False,
        },
    ).json()
    return int(created["id"])


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
        return _deactivate(client, environment)
    if sha is None:
        raise ValueError("a deployment state other than inactive needs the commit SHA")
    deployment_id = _find_or_create(client, pr, sha)
    latest = _latest_status(client, deployment_id)
    if (
        latest is not None
        and latest.get("state") == state.value
        and (latest.get("environment_url") or None) == url
    ):
        return DeploymentResult(environment, [deployment_id], 0, state)
    payload: dict[str, Any] = {
        "state": state.value,
        "auto_inactive": True,
        "description": f"Preview {state.value.replace('_', ' ')}",
    }
    if url:
        payload["environment_url"] = url
    if log_url:
        payload["log_url"] = log_url
    client.request("POST", f"repos/{{repo}}/deployments/{deployment_id}/statuses", json=payload)
    return DeploymentResult(environment, [deployment_id], 1, state)


def _deactivate(client: GitHubClient, environment: str) -> DeploymentResult:
    deployments = client.paginate("repos/{repo}/deployments", {"environment": environment})
    created = 0
    ids = sorted(int(item["id"]) for item in deployments)
    for deployment_id in ids:
        latest = _latest_status(client, deployment_id)
        if latest is not None and latest.get("state") == State.INACTIVE.value:
            continue
        client.request(
            "POST",
            f"repos/{{repo}}/deployments/{deployment_id}/statuses",
            json={"state": State.INACTIVE.value, "description": "Preview removed"},
        )
        created += 1
    return DeploymentResult(environment, ids, created, State.INACTIVE)
