"""`preview gc`: compare previews with the pull requests their source (GitHub)
says are open, refuse when the answer looks wrong, and remove the rest in one
commit. The policy lives here; the source is anything that answers the
`PullRequestSource` protocol (`wildside.github.pulls` implements it)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from wildside.contract.identity import directory_name
from wildside.core.errors import OperationalError
from wildside.core.output import SILENT, Progress
from wildside.gitops import writer
from wildside.gitops.location import RepoLocation
from wildside.previews import service
from wildside.previews.gc_plan import Bounds, Plan, Removal, plan
from wildside.previews.model import PreviewRecord


class PullRequestSource(Protocol):
    """Where the pull requests that own previews are asked about. Either
    method raises OperationalError (or ValueError) when it cannot answer."""

    @property
    def repository(self) -> str: ...

    def open_pull_requests(self) -> set[int]: ...

    def state(self, pr: int) -> str:
        """`open` or `closed`, GitHub's word for one pull request."""
        ...


def confirm_closed(source: PullRequestSource, removals: list[Removal]) -> str | None:
    """Ask about each pull request we would remove as closed: one that is
    open after all means the list was partial. Returns a refusal or None."""
    for removal in removals:
        if removal.reason != "closed":
            continue
        state = source.state(removal.pr)
        if state != "closed":
            return (
                f"pull request #{removal.pr} is missing from the open list but GitHub says it "
                f"is {state!r}: the list is partial, nothing deleted"
            )
    return None


def make_plan(
    source: PullRequestSource,
    records: list[PreviewRecord],
    now: datetime,
    bounds: Bounds,
    *,
    allow_empty: bool = False,
) -> Plan:
    try:
        open_prs = source.open_pull_requests()
    except (OperationalError, ValueError) as error:
        return plan(records, None, now, bounds, api_error=str(error))
    result = plan(records, open_prs, now, bounds, allow_empty=allow_empty)
    if not result.safe or not result.removals:
        return result
    try:
        refusal = confirm_closed(source, result.removals)
    except (OperationalError, ValueError) as error:
        refusal = f"could not confirm that pull requests are closed ({error}); nothing deleted"
    return replace(result, refused=refusal) if refusal else result


def _still_due(record: PreviewRecord | None, removal: Removal, now: datetime) -> bool:
    """Re-check on the tip we commit to: a preview pinned or refreshed since
    the plan was made stays."""
    if record is None or record.pinned:
        return False
    return removal.reason == "closed" or record.expired(now)


@dataclass(frozen=True)
class Collected:
    removed: list[Removal]
    app: str | None  # whose previews they were (None: no wildside.yaml)


def apply_removals(worktree: Path, removals: list[Removal], now: datetime) -> Collected:
    done = []
    app = None
    for removal in removals:
        if _still_due(service.read_record(worktree, removal.pr), removal, now):
            result = service.apply_down(worktree, removal.pr)
            app = result.identity.app if result.identity else None
            done.append(removal)
    return Collected(done, app)


def collect(
    location: RepoLocation,
    removals: list[Removal],
    now: datetime,
    *,
    progress: Progress = SILENT,
) -> writer.CommitOutcome[Collected]:
    def message(collected: Collected) -> str:
        done = collected.removed
        listed = ", ".join(f"{directory_name(r.pr)} ({r.reason})" for r in done)
        return (
            f"preview: gc removes {len(done)} preview(s)\n\n"
            f"Removed: {listed}.\nClosed pull requests and expired previews; pinned ones stay."
        )

    return writer.commit_change(
        location,
        lambda worktree: apply_removals(worktree, removals, now),
        message,
        progress=progress,
    )
