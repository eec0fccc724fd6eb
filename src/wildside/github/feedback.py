"""One preview status reported on its pull request: the Deployment first
(the record GitHub shows and other tools read), then the sticky comment.
The comment is best-effort: its failure is a warning, never the reason a
deploy that succeeded turns red, and it never stops the Deployment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wildside.core.errors import WildsideError
from wildside.github import comment as comments
from wildside.github import deployment as deployments
from wildside.github.api import GitHubClient
from wildside.github.comment import Status
from wildside.github.deployment import State

# None: this status has no Deployment (nothing was deployed).
DEPLOYMENT_STATE: dict[Status, State | None] = {
    Status.BUILDING: State.QUEUED,
    Status.DEPLOYING: State.IN_PROGRESS,
    Status.READY: State.SUCCESS,
    Status.FAILED: State.FAILURE,
    Status.REMOVED: State.INACTIVE,
    Status.CAPPED: None,
    Status.SKIPPED: None,
}

# GitHub failing (an error, or a reply of a shape we cannot use).
_FAILURES = (WildsideError, KeyError, IndexError, TypeError, ValueError, AttributeError)

# A teardown reports only on pull requests that had a preview.
UPDATE_ONLY = frozenset({Status.REMOVED})


@dataclass
class Report:
    deployment: deployments.DeploymentResult | None = None
    deployment_error: str | None = None
    comment: comments.CommentResult | None = None
    comment_error: str | None = None
    warnings: list[str] = field(default_factory=list)


def deployment_state(feedback: comments.Feedback) -> State | None:
    """The Deployment state of a status; a status other than removed needs
    the commit, so without one there is no Deployment to report."""
    state = DEPLOYMENT_STATE[feedback.status]
    if state is not None and state is not State.INACTIVE and not feedback.sha:
        return None
    return state


def report(
    client: GitHubClient,
    feedback: comments.Feedback,
    now: datetime,
    *,
    author: str | None = None,
    deployment: bool = True,
    comment: bool = True,
) -> Report:
    result = Report()
    state = deployment_state(feedback) if deployment else None
    if state is not None:
        try:
            result.deployment = deployments.report(
                client,
                feedback.pr,
                state,
                sha=feedback.sha,
                url=feedback.url,
                log_url=feedback.run_url,
            )
        except _FAILURES as error:
            result.deployment_error = describe(error)
            result.warnings.append(
                f"the Deployment of pr-{feedback.pr} was not updated: {describe(error)}"
            )
    if result.deployment is not None and result.deployment.stale:
        return result  # a late "building": the comment keeps the newer state
    if comment:
        try:
            login = comments.author_login(client, author)
            result.comment = comments.upsert(
                client,
                feedback,
                now,
                author=login,
                update_only=feedback.status in UPDATE_ONLY,
            )
        except _FAILURES as error:
            result.comment_error = describe(error)
            result.warnings.append(
                f"the comment on #{feedback.pr} was not updated: {describe(error)}"
            )
    return result


def describe(error: Exception) -> str:
    if isinstance(error, WildsideError):
        return str(error)
    return f"GitHub answered in an unexpected shape ({type(error).__name__})"
