"""One sticky comment per pull request, found by a hidden marker *and* its
author (the bot itself), updated in place: the body is a pure function of
the status. Anyone can paste the marker into a comment; only the bot's own
comments are ever edited or deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from wildside.core import clock
from wildside.core.errors import BadInput
from wildside.github.api import AmbiguousWrite, GitHubClient, GitHubError

MARKER = "<!-- wildside-preview -->"
_TIME_PREFIX = "| Updated |"
# The author of comments made with a workflow's GITHUB_TOKEN.
ACTIONS_BOT = "github-actions[bot]"
CREATE_ATTEMPTS = 3


class Status(StrEnum):
    """building → deploying → ready / failed / removed; capped and skipped
    say why no preview exists."""

    BUILDING = "building"
    DEPLOYING = "deploying"
    READY = "ready"
    FAILED = "failed"
    REMOVED = "removed"
    CAPPED = "capped"
    SKIPPED = "skipped"


# `deployed` meant "committed" before the states were split; it is that still.
_ALIASES = {"deployed": Status.DEPLOYING}


def parse_status(value: str) -> Status:
    text = value.strip().lower()
    if text in _ALIASES:
        return _ALIASES[text]
    try:
        return Status(text)
    except ValueError:
        choices = ", ".join(s.value for s in Status)
        raise BadInput(
            f"--status {value!r} is not a preview status: give one of {choices}"
        ) from None


_HEADLINES = {
    Status.BUILDING: "Preview building",
    Status.DEPLOYING: "Preview deploying",
    Status.READY: "Preview ready",
    Status.FAILED: "Preview failed",
    Status.REMOVED: "Preview removed",
    Status.CAPPED: "Preview not created: concurrent preview cap reached",
    Status.SKIPPED: "Preview not built",
}

_EXPLANATIONS = {
    Status.BUILDING: "The images of this commit are being built.",
    Status.DEPLOYING: (
        "The preview is committed; Flux is rolling it out. This comment says ready "
        "once Flux reports it Ready."
    ),
    Status.READY: "Flux reports the preview Ready.",
    Status.FAILED: "The preview could not be built or deployed; see the workflow run.",
    Status.REMOVED: "The pull request closed; Flux prunes everything the preview created.",
    Status.CAPPED: (
        "Every preview slot is taken. This pull request gets its preview on its next push "
        "once another preview is removed (a pull request closes or a preview expires)."
    ),
    Status.SKIPPED: "No preview is built for this pull request.",
}

_LIVE = frozenset({Status.DEPLOYING, Status.READY})


@dataclass(frozen=True)
class Feedback:
    pr: int
    status: Status
    url: str | None = None
    sha: str | None = None
    run_url: str | None = None
    reason: str | None = None


def markdown(feedback: Feedback, now: datetime) -> str:
    """The report shown in the comment and the step summary."""
    rows = [("Status", feedback.status.value)]
    if feedback.url and feedback.status in _LIVE:
        rows.append(("URL", feedback.url))
    elif feedback.url:
        rows.append(("URL", f"~~{feedback.url}~~"))
    if feedback.sha:
        rows.append(("Commit", f"`{feedback.sha[:12]}`"))
    if feedback.run_url:
        rows.append(("Workflow run", f"[logs]({feedback.run_url})"))
    rows.append(("Updated", clock.to_iso(now)))
    lines = [f"### {_HEADLINES[feedback.status]} (pr-{feedback.pr})", "", "| | |", "| --- | --- |"]
    lines += [f"| {key} | {value} |" for key, value in rows]
    lines += ["", _EXPLANATIONS[feedback.status]]
    if feedback.reason:
        lines += ["", "```text", feedback.reason.replace("```", "'''"), "```"]
    return "\n".join(lines) + "\n"


def body(feedback: Feedback, now: datetime) -> str:
    return f"{MARKER}\n{markdown(feedback, now)}"


def same_except_time(old: str, new: str) -> bool:
    """A re-run that changes nothing but the time leaves the comment alone."""

    def strip(text: str) -> list[str]:
        return [line for line in text.strip().splitlines() if not line.startswith(_TIME_PREFIX)]

    return strip(old) == strip(new)


def _login(comment: dict[str, Any]) -> str | None:
    user = comment.get("user")
    login = user.get("login") if isinstance(user, dict) else None
    return login if isinstance(login, str) else None


def sticky_comments(comments: list[dict[str, Any]], author: str) -> list[dict[str, Any]]:
    """Our comments, oldest first: the body starts with the marker and the
    bot wrote it. Logins compare case-insensitively, as GitHub's do."""
    ours = [
        c
        for c in comments
        if str(c.get("body") or "").lstrip().startswith(MARKER)
        and (_login(c) or "").lower() == author.lower()
    ]
    return sorted(ours, key=lambda c: int(c["id"]))


def author_login(client: GitHubClient, explicit: str | None) -> str:
    """Whose comments are ours: `explicit` (a GitHub App's `<slug>[bot]`), else
    the token's user; a workflow's GITHUB_TOKEN cannot read /user (403) and
    comments as github-actions[bot]."""
    if explicit and explicit.strip():
        return explicit.strip()
    response = client.request("GET", "user", allow=(403,))
    if response.status_code == 403:
        return ACTIONS_BOT
    try:
        login = response.json().get("login")
    except (ValueError, AttributeError, RecursionError):
        login = None
    if not isinstance(login, str) or not login:
        raise GitHubError("GitHub answered GET /user without a login")
    return login


@dataclass(frozen=True)
class CommentResult:
    action: str  # created | updated | unchanged | skipped
    comment_id: int
    html_url: str | None
    removed_duplicates: list[int]
    author: str


def _list(client: GitHubClient, pr: int, author: str) -> list[dict[str, Any]]:
    return sticky_comments(client.paginate(f"repos/{{repo}}/issues/{pr}/comments"), author)


def _create(client: GitHubClient, pr: int, text: str, author: str) -> CommentResult:
    """POST once; after an ambiguous failure (a 5xx that may follow a create)
    look for our comment before posting again, so a retry never duplicates."""
    last: AmbiguousWrite | None = None
    for _ in range(CREATE_ATTEMPTS):
        try:
            created = client.request(
                "POST", f"repos/{{repo}}/issues/{pr}/comments", json={"body": text}
            ).json()
        except AmbiguousWrite as error:
            last = error
            found = _list(client, pr, author)
            if found:
                return CommentResult(
                    "created", int(found[0]["id"]), found[0].get("html_url"), [], author
                )
            continue
        return CommentResult("created", int(created["id"]), created.get("html_url"), [], author)
    assert last is not None
    raise last


def upsert(
    client: GitHubClient,
    feedback: Feedback,
    now: datetime,
    *,
    author: str,
    update_only: bool = False,
) -> CommentResult:
    """Create the sticky comment, or update it in place; duplicates of ours
    left by a race between two runs are deleted so the pull request keeps one.
    With `update_only` a pull request that never had a preview gets no comment.
    A comment deleted between the listing and the update is created anew."""
    text = body(feedback, now)
    ours = _list(client, feedback.pr, author)
    if not ours and update_only:
        return CommentResult("skipped", 0, None, [], author)
    if not ours:
        return _create(client, feedback.pr, text, author)
    keep, duplicates = ours[0], ours[1:]
    removed = []
    for duplicate in duplicates:
        client.request("DELETE", f"repos/{{repo}}/issues/comments/{duplicate['id']}", allow=(404,))
        removed.append(int(duplicate["id"]))
    if same_except_time(str(keep.get("body") or ""), text):
        return CommentResult("unchanged", int(keep["id"]), keep.get("html_url"), removed, author)
    patched = client.request(
        "PATCH", f"repos/{{repo}}/issues/comments/{keep['id']}", json={"body": text}, allow=(404,)
    )
    if patched.status_code == 404:
        created = _create(client, feedback.pr, text, author)
        return CommentResult("created", created.comment_id, created.html_url, removed, author)
    return CommentResult("updated", int(keep["id"]), keep.get("html_url"), removed, author)
