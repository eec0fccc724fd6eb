"""One sticky comment per pull request, found by a hidden marker and
updated in place: the body is a pure function of the status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from wildside.core import clock
from wildside.github.api import GitHubClient

MARKER = "<!-- wildside-preview -->"
_TIME_PREFIX = "| Updated |"


class Status(StrEnum):
    DEPLOYED = "deployed"
    REMOVED = "removed"
    FAILED = "failed"
    CAPPED = "capped"


_HEADLINES = {
    Status.DEPLOYED: "Preview deployed",
    Status.REMOVED: "Preview removed",
    Status.FAILED: "Preview failed",
    Status.CAPPED: "Preview not created: concurrent preview cap reached",
}

_EXPLANATIONS = {
    Status.DEPLOYED: "Flux rolls the commit out within a minute; the link works once it is ready.",
    Status.REMOVED: "The pull request closed; Flux prunes everything the preview created.",
    Status.FAILED: "The preview could not be built or deployed; see the workflow run.",
    Status.CAPPED: (
        "Every preview slot is taken. This pull request gets its preview on its next push "
        "once another preview is removed (a pull request closes or a preview expires)."
    ),
}


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
    if feedback.url and feedback.status is Status.DEPLOYED:
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


def sticky_comments(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Our comments, oldest first: the body starts with the marker."""
    ours = [c for c in comments if str(c.get("body") or "").lstrip().startswith(MARKER)]
    return sorted(ours, key=lambda c: int(c["id"]))


@dataclass(frozen=True)
class CommentResult:
    action: str  # created | updated | unchanged | skipped
    comment_id: int
    html_url: str | None
    removed_duplicates: list[int]


def upsert(
    client: GitHubClient, feedback: Feedback, now: datetime, *, update_only: bool = False
) -> CommentResult:
    """Create the sticky comment, or update it in place; duplicates left by a
    race between two runs are deleted so the pull request keeps one. With
    `update_only` a pull request that never had a preview gets no comment."""
    text = body(feedback, now)
    comments = client.paginate(f"repos/{{repo}}/issues/{feedback.pr}/comments")
    ours = sticky_comments(comments)
    if not ours and update_only:
        return CommentResult("skipped", 0, None, [])
    if not ours:
        created = client.request(
            "POST", f"repos/{{repo}}/issues/{feedback.pr}/comments", json={"body": text}
        ).json()
        return CommentResult("created", int(created["id"]), created.get("html_url"), [])
    keep, duplicates = ours[0], ours[1:]
    removed = []
    for duplicate in duplicates:
        client.request("DELETE", f"repos/{{repo}}/issues/comments/{duplicate['id']}", allow=(404,))
        removed.append(int(duplicate["id"]))
    if same_except_time(str(keep.get("body") or ""), text):
        return CommentResult("unchanged", int(keep["id"]), keep.get("html_url"), removed)
    client.request("PATCH", f"repos/{{repo}}/issues/comments/{keep['id']}", json={"body": text})
    return CommentResult("updated", int(keep["id"]), keep.get("html_url"), removed)
