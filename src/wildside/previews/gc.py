"""`preview gc`: compare previews with the pull requests their source (GitHub)
says are open, refuse when the answer looks wrong, and remove the rest in one
commit. The policy lives here; the source is anything that answers the
`PullRequestSource` protocol (`wildside.github.pulls` implements it)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from wildside.contract.identity import (
    EPHEMERAL_DIR,
    FLUX_FILE,
    directory_name,
    overlay_path,
    pr_of_directory,
)
from wildside.core.errors import OperationalError
from wildside.core.output import SILENT, Progress
from wildside.gitops import tree, writer
from wildside.gitops.location import RepoLocation
from wildside.previews import index, records, service
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


# What a PullRequestSource answers for a pull request GitHub does not know
# (404: deleted, or the repository moved).
NOT_FOUND = "not_found"


def confirm_closed(
    source: PullRequestSource, removals: list[Removal]
) -> tuple[str | None, list[int]]:
    """Ask about each pull request we would remove as closed: one that is
    open after all means the list was partial (a refusal). One GitHub does not
    know is left alone this run (its preview still expires by TTL) and never
    blocks the others. Returns (refusal or None, the unconfirmed)."""
    unconfirmed = []
    for removal in removals:
        if removal.reason != "closed":
            continue
        state = source.state(removal.pr)
        if state == NOT_FOUND:
            unconfirmed.append(removal.pr)
        elif state != "closed":
            return (
                f"pull request #{removal.pr} is missing from the open list but GitHub says it "
                f"is {state!r}: the list is partial, nothing deleted"
            ), unconfirmed
    return None, unconfirmed


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
        refusal, unconfirmed = confirm_closed(source, result.removals)
    except (OperationalError, ValueError) as error:
        refusal, unconfirmed = (
            f"could not confirm that pull requests are closed ({error}); nothing deleted",
            [],
        )
    if refusal:
        return replace(result, refused=refusal)
    return replace(
        result,
        removals=[r for r in result.removals if r.pr not in unconfirmed],
        unconfirmed=unconfirmed,
    )


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
            result = service.apply_down(worktree, removal.pr, now)
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


@dataclass(frozen=True)
class Settled:
    cleared: list[int]  # tombstones removed: old enough, nothing left behind
    updated: list[int]  # tombstones whose leftovers were finished in part
    orphan_directories: list[int] = field(default_factory=list)  # overlays the index lacks
    orphan_entries: list[int] = field(default_factory=list)  # index entries without overlay


def git_orphans(worktree: Path) -> tuple[list[int], list[int]]:
    """Overlay directories the index does not list (Flux no longer reconciles
    them) and index entries whose overlay is missing (they break the whole
    ephemeral Kustomization). Commits are atomic, so neither is ever a write
    in progress: a human edit or an older tool left them."""
    listed = set(index.preview_numbers(worktree))
    base = worktree / EPHEMERAL_DIR
    present = set()
    for directory in base.iterdir() if base.is_dir() else []:
        number = pr_of_directory(directory.name)
        if number is not None and (directory / FLUX_FILE).is_file():
            present.add(number)
    return sorted(present - listed), sorted(listed - present)


def survey(location: RepoLocation) -> tuple[service.RepositoryState, tuple[list[int], list[int]]]:
    """The previews, tombstones and Git orphans on the remote tip."""
    value, _tip = writer.read(location, lambda wt: (service.state_of(wt), git_orphans(wt)))
    return value


def settle_tombstones(
    worktree: Path,
    finished: dict[int, set[str]],
    now: datetime,
    keep_for: timedelta,
) -> Settled:
    """Strike what this run finished from each tombstone; remove a tombstone
    older than `keep_for` with nothing left (a late deploy of a pull request
    closed that long ago is no longer expected)."""
    cleared, updated = [], []
    directories, entries = git_orphans(worktree)
    for number in directories:
        service.apply_down(worktree, number, now)  # records what it owned for the next run
    for number in entries:
        index.update(worktree, remove=number)
    for tombstone in service.list_tombstones(worktree):
        if tombstone.pr in directories:
            continue
        done = finished.get(tombstone.pr, set())
        left = tuple(item for item in tombstone.left_behind if item not in done)
        path = overlay_path(tombstone.pr)
        if not left and now - tombstone.closed_at >= keep_for:
            tree.remove_directory(worktree, path)
            cleared.append(tombstone.pr)
        elif left != tombstone.left_behind:
            text = records.tombstone_text(replace(tombstone, left_behind=left))
            tree.sync_directory(worktree, path, {records.TOMBSTONE_FILE: text})
            updated.append(tombstone.pr)
    return Settled(cleared, updated, directories, entries)


def settle(
    location: RepoLocation,
    finished: dict[int, set[str]],
    now: datetime,
    keep_for: timedelta,
    *,
    progress: Progress = SILENT,
) -> writer.CommitOutcome[Settled]:
    def message(settled: Settled) -> str:
        cleared = ", ".join(directory_name(pr) for pr in settled.cleared) or "none"
        updated = ", ".join(directory_name(pr) for pr in settled.updated) or "none"
        orphans = ", ".join(
            [f"{directory_name(pr)} (not in the index)" for pr in settled.orphan_directories]
            + [f"{directory_name(pr)} (index entry only)" for pr in settled.orphan_entries]
        )
        return (
            f"preview: gc settles {len(settled.cleared) + len(settled.updated)} tombstone(s)\n\n"
            f"Cleared (closed long ago, nothing left behind): {cleared}.\n"
            f"Leftovers finished: {updated}.\nOrphans removed: {orphans or 'none'}."
        )

    return writer.commit_change(
        location,
        lambda worktree: settle_tombstones(worktree, finished, now, keep_for),
        message,
        progress=progress,
    )
