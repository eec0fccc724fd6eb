"""`wildside preview gc` (registered on the preview command group)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
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
        "deferred": plan.deferred,
        "unconfirmed": plan.unconfirmed,
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
    for pr in result.get("deferred", []):
        lines.append(f"  later pr-{pr} (beyond this run's bound; the oldest go first)")
    for pr in result.get("unconfirmed", []):
        lines.append(f"  keep pr-{pr} (GitHub does not know the pull request; it expires by TTL)")
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
    report: Annotated[
        bool,
        typer.Option(
            "--report/--no-report",
            help="Tell each removed preview's pull request: its comment says removed and its "
            "Deployment goes inactive (best-effort: a failure is a warning).",
        ),
    ] = True,
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
        if report and removed:
            reasons = {item["pr"]: item["reason"] for item in result["remove"]}
            result["reported"] = _report_removals(repository, reasons, now)
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


def _report_removals(repository: str | None, removed: dict[int, str], now: datetime) -> list[int]:
    """Each removal on its pull request, as a teardown reports it; returns the
    pull requests whose Deployment was updated. Never fails the run."""
    from wildside.cli.github import warn
    from wildside.github import feedback as feedbacks
    from wildside.github.api import GitHubClient
    from wildside.github.comment import Feedback, Status

    run_url = None
    if os.environ.get("GITHUB_RUN_ID") and os.environ.get("GITHUB_REPOSITORY"):
        server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
        run_url = (
            f"{server}/{os.environ['GITHUB_REPOSITORY']}/actions/runs/{os.environ['GITHUB_RUN_ID']}"
        )
    reported = []
    with GitHubClient.from_environment(repository) as client:
        for pr, why in sorted(removed.items()):
            reason = (
                "expired: no push within its time to live; the next push creates it again"
                if why == "expired"
                else "removed by preview gc: the pull request is closed"
            )
            feedback = Feedback(pr, Status.REMOVED, run_url=run_url, reason=reason)
            outcome = feedbacks.report(client, feedback, now)
            for message in outcome.warnings:
                warn(message)
            if outcome.deployment_error is None:
                reported.append(pr)
    return reported


# A Vault path or role younger than this may belong to an `up` still on its
# way to the push (add-ons prepare before the Git loop): never an orphan yet.
ORPHAN_AGE = timedelta(hours=1)


def _finish(app: str, tombstone: Tombstone, vault: Any, dsn: Any, done: set[str]) -> list[str]:
    """Remove what the tombstone names as left behind, where this run can
    (adding it to `done`); returns what is still waiting, and why."""
    from wildside.previews.service import ROLE_LEFTOVER, VAULT_LEFTOVER

    identity = PreviewIdentity(app, tombstone.pr)
    waiting: list[str] = []
    for item in tombstone.left_behind:
        if item in done:
            continue
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
    return waiting


def _external_orphans(
    app: str, live: set[int], vault: Any, dsn: Any, now: datetime, dry_run: bool
) -> tuple[dict[int, set[str]], list[str]]:
    """Vault paths and database roles of `app`'s previews that no preview owns."""
    from wildside.previews.service import ROLE_LEFTOVER, VAULT_LEFTOVER

    finished: dict[int, set[str]] = {}
    found: list[str] = []
    if vault is not None:
        from wildside.vault import preview_secrets as vault_secrets

        for pr, written in sorted(vault_secrets.preview_paths(vault, app).items()):
            if pr in live or now - written < ORPHAN_AGE:
                continue
            identity = PreviewIdentity(app, pr)
            item = f"{VAULT_LEFTOVER}{identity.vault_path}"
            if not dry_run:
                vault_secrets.delete(vault, identity)
                finished.setdefault(pr, set()).add(item)
            found.append(item)
    if dsn is not None:
        from wildside.databases.preview_roles import RoleOutcome, drop_preview_role, preview_roles

        for role, pr, created in preview_roles(dsn, app):
            if pr in live or now.timestamp() - created < ORPHAN_AGE.total_seconds():
                continue
            item = f"{ROLE_LEFTOVER}{role}"
            if dry_run:
                found.append(item)
                continue
            outcome = drop_preview_role(dsn, role, pr)
            if outcome is RoleOutcome.DROPPED:
                finished.setdefault(pr, set()).add(item)
                found.append(item)
    return finished, found


def _settle_tombstones(
    location: RepoLocation, now: datetime, keep_for: timedelta, dry_run: bool, progress: Progress
) -> dict[str, Any]:
    """Finish what teardowns left behind, remove orphans of every kind (Git,
    Vault, PostgreSQL) and clear old tombstones."""
    state, (orphan_dirs, orphan_entries) = gc.survey(location)
    empty = {"total": 0, "cleared": [], "left_behind": {}, "orphans": []}
    if state.app is None:
        return empty
    vault = dsn = None
    if os.environ.get(names.VAULT_ADDRESS_ENV):
        from wildside.cli import preview_secrets

        vault = preview_secrets.down_client()
    if os.environ.get(DSN_VARIABLE):
        from wildside.databases import dsn as dsns

        dsn = dsns.resolve(None)
    live = {record.pr for record in state.records} - set(orphan_dirs)
    finished, orphans = _external_orphans(state.app, live, vault, dsn, now, dry_run)
    orphans = (
        [f"overlay pr-{pr} (not in the index)" for pr in orphan_dirs]
        + [f"index entry pr-{pr} (no overlay)" for pr in orphan_entries]
        + orphans
    )
    waiting: dict[str, list[str]] = {}
    for tombstone in state.tombstones:
        if dry_run:
            left = [i for i in tombstone.left_behind if i not in finished.get(tombstone.pr, set())]
        else:
            left = _finish(
                state.app, tombstone, vault, dsn, finished.setdefault(tombstone.pr, set())
            )
        if left:
            waiting[str(tombstone.pr)] = left
    result: dict[str, Any] = {
        "total": len(state.tombstones),
        "left_behind": waiting,
        "orphans": orphans,
    }
    if dry_run:
        result["cleared"] = [
            t.pr for t in state.tombstones if not t.left_behind and now - t.closed_at >= keep_for
        ]
        return result
    progress.step(f"settling {len(state.tombstones)} tombstone(s) and {len(orphans)} orphan(s)")
    outcome = gc.settle(location, finished, now, keep_for, progress=progress)
    result["cleared"] = outcome.value.cleared
    result["commit"] = outcome.commit if outcome.changed else None
    return result
