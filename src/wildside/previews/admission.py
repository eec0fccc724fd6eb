"""Teardown wins, newer wins: whether an `up` may write, decided on the tip it
would push to (inside the retry loop) from the preview's record, its
tombstone and, with `--only-if-open`, what GitHub says right then."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wildside.core import clock
from wildside.previews.model import PreviewRecord, PreviewRequest, Tombstone


@dataclass(frozen=True)
class PullRequestState:
    """One pull request as its source (GitHub) answers right now."""

    state: str  # GitHub's word: open or closed
    head_sha: str | None = None

    @property
    def open(self) -> bool:
        return self.state == "open"


# Asked once per attempt, right before the push; raises OperationalError when it cannot answer.
PullRequestCheck = Callable[[int], PullRequestState]


def _is(sha: str, full: str) -> bool:
    """A request's SHA may be abbreviated; GitHub's are 40 characters."""
    return full.lower().startswith(sha.lower()) or sha.lower().startswith(full.lower())


def refusal(
    request: PreviewRequest,
    previous: PreviewRecord | None,
    tombstone: Tombstone | None,
    pull: PullRequestState | None,
) -> str | None:
    """Why this `up` must write nothing, or None when it may."""
    pr, sha = request.pr, request.sha
    if pull is not None and not pull.open:
        return f"pull request #{pr} is {pull.state}; no preview written"
    if pull is not None and pull.head_sha and not _is(sha, pull.head_sha):
        return (
            f"{sha[:12]} is not the head of pull request #{pr} (GitHub: "
            f"{pull.head_sha[:12]}); an older run writes nothing"
        )
    if tombstone is not None and not request.reopen and pull is None:
        closed = clock.to_iso(tombstone.closed_at)
        return (
            f"pr-{pr} was torn down at {closed}; nothing written (teardown wins: pass "
            "--only-if-open to ask GitHub whether it was reopened, or --reopen)"
        )
    head_confirmed = pull is not None and bool(pull.head_sha)
    if (
        previous is not None
        and not head_confirmed
        and not _is(sha, previous.sha)
        and any(_is(sha, old) for old in previous.history)
    ):
        return (
            f"{sha[:12]} is older than the deployed {previous.sha[:12]} (it was deployed "
            "before it); nothing written"
        )
    return None
