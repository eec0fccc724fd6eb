"""`preview gc`: compare previews with the pull requests GitHub says are open,
refuse when the answer looks wrong, and remove the rest in one commit."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from wildside.core.output import SILENT, Progress
from wildside.github.api import GitHubClient, GitHubError
from wildside.github.gc_plan import Bounds, Plan, Removal, plan
from wildside.gitops import writer
from wildside.gitops.location import RepoLocation
from wildside.previews import service
from wildside.previews.model import PreviewRecord


def open_pull_requests(client: GitHubClient) -> set[int]:
    pulls = client.paginate("repos/{repo}/pulls", {"state": "open"})
    numbers = set()
    for pull in pulls:
        if not isinstance(pull, dict) or not isinstance(pull.get("number"), int):
            raise GitHubError("GitHub listed a pull request without a number")
        numbers.add(pull["number"])
    return numbers


def confirm_closed(client: GitHubClient, removals: list[Removal]) -> str | None:
    """Ask about each pull request we would remove as closed: one that is
    open after all means the list was partial. Returns a refusal or None."""
    for removal in removals:
        if removal.reason != "closed":
            continue
        pull = client.get_json(f"repos/{{repo}}/pulls/{removal.pr}")
        if pull.get("state") != "closed":
            return (
                f"pull request #{removal.pr} is missing from the open list but GitHub says it "
                f"is {pull.get('state')!r}: the list is partial, nothing deleted"
            )
    return None


def make_plan(
    client: GitHubClient,
    records: list[PreviewRecord],
    now: datetime,
    bounds: Bounds,
    *,
    allow_empty: bool = False,
) -> Plan:
    try:
        open_prs = open_pull_requests(client)
    except (GitHubError, ValueError) as error:
        return plan(records, None, now, bounds, api_error=str(error))
    result = plan(records, open_prs, now, bounds, allow_empty=allow_empty)
    if not result.safe or not result.removals:
        return result
    try:
        refusal = confirm_closed(client, result.removals)
    except (GitHubError, ValueError) as error:
        refusal = f"could not confirm that pull requests are closed ({error}); nothing deleted"
    return replace(result, refused=refusal) if refusal else result


def _still_due(record: PreviewRecord | None, removal: Removal, now: datetime) -> bool:
    """Re-check on the tip we commit to: a preview pinned or refreshed since
    the plan was made stays."""
    if record is None or record.pinned:
        return False
    return removal.reason == "closed" or record.expired(now)


def apply_removals(worktree: Path, removals: list[Removal], now: datetime) -> list[Removal]:
    done = []
    for removal in removals:
        if _still_due(service.read_record(worktree, removal.pr), removal, now):
            service.apply_down(worktree, removal.pr)
            done.append(removal)
    return done


def collect(
    location: RepoLocation,
    removals: list[Removal],
    now: datetime,
    *,
    progress: Progress = SILENT,
) -> writer.CommitOutcome[list[Removal]]:
    def message(done: list[Removal]) -> str:
        listed = ", ".join(f"pr-{r.pr} ({r.reason})" for r in done)
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
