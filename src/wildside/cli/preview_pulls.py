"""`preview up --only-if-open`: GitHub answers, on every attempt of the Git
loop and right before the push, whether the pull request is open and which
SHA is its head. Imported only when the flag is given."""

from __future__ import annotations

from wildside.github.api import GitHubClient, GitHubError
from wildside.previews.admission import PullRequestCheck, PullRequestState


def pull_check(repository: str | None) -> PullRequestCheck:
    """A check bound to one repository; the client is made at the edge, so a
    missing token or repository fails before anything is written."""
    client = GitHubClient.from_environment(repository)

    def check(pr: int) -> PullRequestState:
        try:
            pull = client.get_json(f"repos/{{repo}}/pulls/{pr}")
        except ValueError:
            raise GitHubError(f"GitHub answered pull request #{pr} with malformed JSON") from None
        if not isinstance(pull, dict) or not isinstance(pull.get("state"), str):
            raise GitHubError(f"GitHub answered pull request #{pr} without a state")
        head = pull.get("head")
        sha = head.get("sha") if isinstance(head, dict) else None
        return PullRequestState(state=pull["state"], head_sha=sha if isinstance(sha, str) else None)

    return check
