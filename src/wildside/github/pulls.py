"""The state of one pull request, asked right before a preview is written."""

from __future__ import annotations

from wildside.github.api import GitHubClient


def pull_state(repository: str | None, pr: int) -> str:
    """`open` or `closed` (GitHub's word) for pull request `pr`."""
    with GitHubClient.from_environment(repository) as client:
        pull = client.get_json(f"repos/{{repo}}/pulls/{pr}")
    return str(pull.get("state", "unknown"))
