"""`wildside preview up|down|list`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from wildside.apps_repo import service as apps
from wildside.cli import preview_database
from wildside.cli import preview_secrets as vault_secrets
from wildside.cli.common import BranchOption, JsonOption, QuietOption, RepoOption
from wildside.cli.preview_gc import gc_command
from wildside.core import clock, validation
from wildside.core.errors import BadInput
from wildside.core.output import Progress, emit
from wildside.github.pulls import pull_state
from wildside.previews import service
from wildside.previews.model import PreviewRecord, PreviewRequest

app = typer.Typer(
    help="Create, update, remove and list pull request previews.", no_args_is_help=True
)

PrOption = Annotated[str, typer.Option("--pr", help="Pull request number.", show_default=False)]


def record_json(record: PreviewRecord, now: datetime) -> dict[str, Any]:
    return {
        "pr": record.pr,
        "sha": record.sha,
        "url": record.url,
        "namespace": record.namespace,
        "path": record.path,
        "created_at": clock.to_iso(record.created_at),
        "updated_at": clock.to_iso(record.updated_at),
        "expires_at": clock.to_iso(record.expires_at),
        "age_seconds": int(record.age(now).total_seconds()),
        "pinned": record.pinned,
    }


def _age(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@app.command()
def up(
    pr: PrOption,
    sha: Annotated[
        str, typer.Option("--sha", help="Commit SHA; the image tag of every component.")
    ],
    image: Annotated[
        list[str] | None,
        typer.Option(
            "--image",
            help="COMPONENT=REPOSITORY, repeatable (e.g. backend=ghcr.io/acme/backend). "
            "Default: the images in the repository's wildside.yaml.",
        ),
    ] = None,
    preview_domain: Annotated[
        str | None,
        typer.Option("--preview-domain", help="Domain under which pr-N.<domain> is served."),
    ] = None,
    ttl: Annotated[
        str | None,
        typer.Option("--ttl", help="Time to live after the last update, e.g. 72h or 7d."),
    ] = None,
    pin: Annotated[
        bool | None,
        typer.Option("--pin/--unpin", help="Pinned previews never expire.", show_default=False),
    ] = None,
    max_previews: Annotated[
        int | None,
        typer.Option(
            "--max-previews",
            help="Refuse (exit 1, 'preview cap reached') to create a preview when this many "
            "exist already; updating an existing preview is always allowed.",
            show_default=False,
        ),
    ] = None,
    secrets: vault_secrets.SecretsOption = False,
    seed_secrets_from: vault_secrets.SeedFromOption = None,
    generate_secret: vault_secrets.GenerateOption = None,
    database: preview_database.DatabaseOption = False,
    only_if_open: Annotated[
        bool,
        typer.Option(
            "--only-if-open",
            help="Ask GitHub first (GITHUB_TOKEN; --repository or GITHUB_REPOSITORY) and change "
            "nothing when the pull request is no longer open, so a deploy that finishes after "
            "the teardown cannot bring the preview back.",
        ),
    ] = False,
    repository: Annotated[
        str | None,
        typer.Option("--repository", help="GitHub OWNER/NAME for --only-if-open."),
    ] = None,
    repo: RepoOption = None,
    branch: BranchOption = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Create or update the preview of a pull request, commit and push it."""
    request = PreviewRequest(
        pr=validation.pr_number(pr),
        sha=validation.commit_sha(sha),
        images=dict(validation.image_assignment(item) for item in image or []),
        preview_domain=validation.domain(preview_domain) if preview_domain else None,
        ttl=validation.ttl(ttl) if ttl else None,
        pinned=pin,
    )
    if max_previews is not None and max_previews < 1:
        raise BadInput(f"--max-previews {max_previews} is too small: give 1 or more")
    location = apps.location(repo, branch)
    if only_if_open:
        state = pull_state(repository, request.pr)
        if state != "open":
            skipped = {"pr": request.pr, "sha": request.sha, "changed": False, "commit": None}
            skipped["skipped"] = f"pull request #{request.pr} is {state}; no preview written"
            emit(skipped, as_json=as_json, human=lambda r: str(r["skipped"]))
            return
    preview_secrets = vault_secrets.PreviewSecrets(secrets, seed_secrets_from, generate_secret)
    preview_db = preview_database.PreviewDatabase(database)
    now = clock.utc_now()
    progress = Progress(quiet=quiet)
    outcome = service.up(
        location,
        request,
        now,
        progress=progress,
        max_previews=max_previews,
        extras=service.combine(preview_secrets.extras(), preview_db.extras(progress)),
    )
    progress.done()
    result = record_json(outcome.value.record, now) | {
        "commit": outcome.commit,
        "changed": outcome.changed,
        "attempts": outcome.attempts,
        "branch": outcome.branch,
        "repo": location.display,
        "secrets": preview_secrets.summary(),
        "database": preview_db.summary(),
    }
    emit(result, as_json=as_json, human=_human_up)


def _human_up(result: dict[str, Any]) -> str:
    state = "pushed" if result["changed"] else "unchanged, nothing committed"
    return "\n".join(
        [
            f"Preview pr-{result['pr']}: {result['url']}",
            f"  sha        {result['sha']}",
            f"  namespace  {result['namespace']}",
            f"  path       {result['path']}",
            f"  commit     {result['commit']} on {result['branch']} ({state})",
            f"  expires    {result['expires_at']}" + (" (pinned)" if result["pinned"] else ""),
        ]
    )


@app.command()
def down(
    pr: PrOption,
    repo: RepoOption = None,
    branch: BranchOption = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Remove the preview of a pull request; absent previews succeed unchanged."""
    number = validation.pr_number(pr)
    location = apps.location(repo, branch)
    vault = vault_secrets.down_client()
    progress = Progress(quiet=quiet)
    outcome = service.down(location, number, progress=progress)
    # After the push: Flux prunes the ExternalSecret before its source goes.
    secrets_removed = vault_secrets.remove_preview_secrets(vault, number)
    progress.done()
    record = outcome.value.record
    result = {
        "pr": number,
        "path": outcome.value.path,
        "namespace": record.namespace if record else None,
        "commit": outcome.commit,
        "changed": outcome.changed,
        "attempts": outcome.attempts,
        "branch": outcome.branch,
        "repo": location.display,
        "secrets_removed": secrets_removed,
    }
    emit(
        result,
        as_json=as_json,
        human=lambda r: (
            f"Preview pr-{number} removed (commit {r['commit']})"
            if r["changed"]
            else f"No preview for pr-{number}; nothing to remove"
        ),
    )


@app.command("list")
def list_command(
    repo: RepoOption = None,
    branch: BranchOption = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """List previews: PR, SHA, URL and age (from the commit that created it)."""
    location = apps.location(repo, branch)
    records, _tip = service.list_previews(location)
    now = clock.utc_now()
    rows = [record_json(record, now) for record in records]
    emit(rows, as_json=as_json, human=_human_list)


def _human_list(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "No previews."
    lines = [f"{'PR':>6}  {'SHA':<12}  {'AGE':>5}  URL"]
    for row in rows:
        pin = "  (pinned)" if row["pinned"] else ""
        age = _age(row["age_seconds"])
        lines.append(f"{row['pr']:>6}  {row['sha'][:12]:<12}  {age:>5}  {row['url']}{pin}")
    return "\n".join(lines)


app.command("gc")(gc_command)
