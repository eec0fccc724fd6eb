"""`wildside preview gc` (registered on the preview command group)."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from wildside.cli.common import BranchOption, JsonOption, QuietOption, RepoOption
from wildside.contract import names
from wildside.contract.identity import PreviewIdentity
from wildside.core import clock, validation
from wildside.core.errors import BadInput, OperationalError
from wildside.core.output import Progress, emit, emit_json
from wildside.gitops.location import RepoLocation
from wildside.previews import gc, service
from wildside.previews import repository as apps
from wildside.previews.gc_plan import Bounds, Plan
from wildside.previews.model import Tombstone

DSN_VARIABLE = "WILDSIDE_DB_DSN"


def _plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "total": plan.total,
        "open_pull_requests": plan.open_prs,
        "remove": [{"pr": r.pr, "reason": r.reason} for r in plan.removals],
        "kept_pinned": plan.kept_pinned,
        "kept_open": plan.kept_open,
        "refused": plan.refused,
    }


def _human(result: dict[str, Any]) -> str:
    lines = [
        f"{result['total']} preview(s); GitHub reports "
        f"{result['open_pull_requests'] if result['open_pull_requests'] is not None else '?'} "
        "open pull request(s)."
    ]
    verb = "would remove" if result["dry_run"] or result["refused"] else "removed"
    for item in result["remove"]:
        lines.append(f"  {verb} pr-{item['pr']} ({item['reason']})")
    for pr in result["kept_pinned"]:
        lines.append(f"  keep pr-{pr} (pinned)")
    if result.get("commit") and result.get("changed"):
        lines.append(f"  commit {result['commit']}")
    if not result["remove"]:
        lines.append("Nothing to remove.")
    return "\n".join(lines)


def gc_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan; change nothing.")
    ] = False,
    max_deletions: Annotated[
        int, typer.Option("--max-deletions", help="Refuse a run deleting more previews.")
    ] = 10,
    max_fraction: Annotated[
        float,
        typer.Option("--max-fraction", help="Refuse a run deleting a larger share of previews."),
    ] = 0.5,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty", help="Trust an empty open pull request list (normally refused)."
        ),
    ] = False,
    repository: Annotated[
        str | None,
        typer.Option(
            "--repository",
            help="GitHub repository whose pull requests own the previews. "
            "Default: $GITHUB_REPOSITORY.",
            show_default=False,
        ),
    ] = None,
    keep_tombstones: Annotated[
        str,
        typer.Option(
            "--keep-tombstones",
            help="How long a teardown's tombstone keeps late deploys out before gc clears it.",
        ),
    ] = "30d",
    repo: RepoOption = None,
    branch: BranchOption = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Remove previews of closed pull requests and expired ones (pinned stay); refuse on doubt.

    Deletes nothing, exit 1, when GitHub fails or answers an empty or partial list,
    or when more previews than the bounds allow would go. Then finishes what
    `preview down` left behind (Vault paths with VAULT_ADDR, database roles with
    WILDSIDE_DB_DSN) and clears tombstones older than --keep-tombstones."""
    if max_deletions < 0:
        raise BadInput(f"--max-deletions {max_deletions} is negative: give 0 or more")
    if not 0 < max_fraction <= 1:
        raise BadInput(f"--max-fraction {max_fraction:g} is out of range: give (0, 1]")
    bounds = Bounds(max_deletions, max_fraction)
    keep_for = validation.ttl(keep_tombstones, option="--keep-tombstones")
    location = apps.location(repo, branch)
    progress = Progress(quiet=quiet)
    now = clock.utc_now()
    from wildside.github.api import GitHubClient
    from wildside.github.pulls import GitHubPullRequests

    with GitHubClient.from_environment(repository) as client:
        progress.step(f"reading previews in {location.display}")
        records, _tip = service.list_previews(location)
        progress.step(f"asking GitHub which pull requests of {client.repository} are open")
        source = GitHubPullRequests(client)
        plan = gc.make_plan(source, records, now, bounds, allow_empty=allow_empty)
    result: dict[str, Any] = _plan_json(plan) | {
        "dry_run": dry_run,
        "repo": location.display,
        "commit": None,
        "changed": False,
    }
    if plan.safe and plan.removals and not dry_run:
        vault = None
        if os.environ.get(names.VAULT_ADDRESS_ENV):
            from wildside.cli import preview_secrets

            vault = preview_secrets.down_client()  # before the push: a missing token fails early
        outcome = gc.collect(location, plan.removals, now, progress=progress)
        removed = {r.pr for r in outcome.value.removed}
        result["remove"] = [item for item in result["remove"] if item["pr"] in removed]
        result |= {"commit": outcome.commit, "changed": outcome.changed}
        if vault is not None and outcome.value.app is not None:
            # After the push, as for `preview down`: Flux prunes the ExternalSecrets first.
            app = outcome.value.app
            result["secrets_removed"] = sorted(
                pr
                for pr in removed
                if preview_secrets.remove_preview_secrets(vault, PreviewIdentity(app, pr))
            )
        else:
            result["secrets_removed"] = []
    if plan.safe:
        result["tombstones"] = _settle_tombstones(location, now, keep_for, dry_run, progress)
    progress.done()
    if as_json:
        emit_json(result)
    else:
        emit(result, as_json=False, human=_human)
    if plan.refused:
        raise OperationalError(f"preview gc refused: {plan.refused}")


def _finish(app: str, tombstone: Tombstone, vault: Any, dsn: Any) -> tuple[set[str], list[str]]:
    """Remove what the tombstone names as left behind, where this run can."""
    from wildside.previews.service import ROLE_LEFTOVER, VAULT_LEFTOVER

    identity = PreviewIdentity(app, tombstone.pr)
    done: set[str] = set()
    waiting: list[str] = []
    for item in tombstone.left_behind:
        if item == f"{VAULT_LEFTOVER}{identity.vault_path}" and vault is not None:
            from wildside.cli import preview_secrets

            preview_secrets.remove_preview_secrets(vault, identity)
            done.add(item)
        elif item == f"{ROLE_LEFTOVER}{identity.database_role}" and dsn is not None:
            from wildside.databases.preview_roles import RoleOutcome, drop_preview_role

            outcome = drop_preview_role(dsn, identity.database_role, tombstone.pr)
            if outcome in (RoleOutcome.DROPPED, RoleOutcome.ABSENT):
                done.add(item)
            else:
                waiting.append(f"{item} ({outcome.value})")
        else:
            waiting.append(item)
    return done, waiting


def _settle_tombstones(
    location: RepoLocation, now: Any, keep_for: Any, dry_run: bool, progress: Progress
) -> dict[str, Any]:
    state = service.read_state(location)
    if not state.tombstones or state.app is None:
        return {"total": len(state.tombstones), "cleared": [], "left_behind": {}}
    vault = dsn = None
    pending = any(t.left_behind for t in state.tombstones)
    if pending and not dry_run and os.environ.get(names.VAULT_ADDRESS_ENV):
        from wildside.cli import preview_secrets

        vault = preview_secrets.down_client()
    if pending and not dry_run and os.environ.get(DSN_VARIABLE):
        from wildside.databases import dsn as dsns

        dsn = dsns.resolve(None)
    finished: dict[int, set[str]] = {}
    waiting: dict[str, list[str]] = {}
    for tombstone in state.tombstones:
        done, left = _finish(state.app, tombstone, vault, dsn)
        finished[tombstone.pr] = done
        if left:
            waiting[str(tombstone.pr)] = left
    if dry_run:
        due = [
            t.pr for t in state.tombstones if not t.left_behind and now - t.closed_at >= keep_for
        ]
        return {"total": len(state.tombstones), "cleared": due, "left_behind": waiting}
    progress.step(f"settling {len(state.tombstones)} tombstone(s)")
    outcome = gc.settle(location, finished, now, keep_for, progress=progress)
    return {
        "total": len(state.tombstones),
        "cleared": outcome.value.cleared,
        "left_behind": waiting,
        "commit": outcome.commit if outcome.changed else None,
    }
