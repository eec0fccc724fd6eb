"""Pull requests as the previews' owners: GitHub answers the
`PullRequestSource` protocol that preview gc and `--only-if-open` use."""

from __future__ import annotations

from wildside.github.api import GitHubClient, GitHubError, decode


class GitHubPullRequests:
    """A `wildside.previews.gc.PullRequestSource` backed by GitHub's REST API."""

    def __init__(self, client: GitHubClient) -> None:
        self._client = client

    @property
    def repository(self) -> str:
        return self._client.repository

    def open_pull_requests(self) -> set[int]:
        try:
            pulls = self._client.paginate("repos/{repo}/pulls", {"state": "open"})
        except ValueError:
            raise GitHubError(
                "GitHub answered the open pull requests with malformed JSON"
            ) from None
        numbers = set()
        for pull in pulls:
            if not isinstance(pull, dict) or not isinstance(pull.get("number"), int):
                raise GitHubError("GitHub listed a pull request without a number")
            numbers.add(pull["number"])
        return numbers

    def state(self, pr: int) -> str:
        """GitHub's state, or `not_found` (gc.NOT_FOUND) when it answers 404."""
        try:
            response = self._client.request("GET", f"repos/{{repo}}/pulls/{pr}", allow=(404,))
            if response.status_code == 404:
                return "not_found"
            pull = decode(response)
        except ValueError:
            raise GitHubError(f"GitHub answered pull request #{pr} with malformed JSON") from None
        if not isinstance(pull, dict):
            raise GitHubError(f"GitHub answered pull request #{pr} with something not an object")
        return str(pull.get("state", "unknown"))


def pull_state(repository: str | None, pr: int) -> str:
    """`open` or `closed` (GitHub's word) for pull request `pr`."""
    with GitHubClient.from_environment(repository) as client:
        return GitHubPullRequests(client).state(pr)
