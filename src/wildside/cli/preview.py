"""`wildside preview up|down|list`."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated, Any

import typer

from wildside.cli import preview_gc
from wildside.cli.common import BranchOption, JsonOption, QuietOption, RepoOption
from wildside.contract import names
from wildside.contract.identity import PreviewIdentity
from wildside.contract.overlay import OverlayExtras
from wildside.core import clock, validation
from wildside.core.errors import BadInput
from wildside.core.output import Progress, emit
from wildside.previews import repository as apps
from wildside.previews import service
from wildside.previews.model import PreviewRecord, PreviewRequest

app = typer.Typer(
    help="Create, update, remove and list pull request previews.", no_args_is_help=True
)

SecretsOption = Annotated[
    bool,
    typer.Option(
        "--secrets",
        help="Give the preview an ExternalSecret for its own Vault path "
        "wildside/previews/<app>/pr-<N> (implied by --seed-secrets-from and "
        "--generate-secret). Needs VAULT_ADDR and VAULT_TOKEN (or VAULT_ROLE_ID and "
        "VAULT_SECRET_ID).",
    ),
]
SeedFromOption = Annotated[
    str | None,
    typer.Option(
        "--seed-secrets-from",
        help="KV path to copy missing keys from, e.g. wildside/apps/staging.",
        show_default=False,
    ),
]
GenerateOption = Annotated[
    list[str] | None,
    typer.Option(
        "--generate-secret",
        help="KEY to fill with a random value unless it exists already (repeatable).",
        show_default=False,
    ),
]
DatabaseOption = Annotated[
    bool,
    typer.Option(
        "--database",
        help="Give the preview its own database: a CloudNativePG Database cloned from the "
        "template in the shared cluster, its role, and an ExternalSecret with DATABASE_URL "
        "(chart value database.existingSecret). With VAULT_ADDR and VAULT_TOKEN set, the "
        "role's password is generated into the preview's Vault path once.",
    ),
]
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
    secrets: SecretsOption = False,
    seed_secrets_from: SeedFromOption = None,
    generate_secret: GenerateOption = None,
    database: DatabaseOption = False,
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
    # Add-on clients are made (and their options checked) at the edge, before
    # anything is written; their modules load only when a flag asks for them.
    vault_addon = None
    if secrets or seed_secrets_from or generate_secret:
        from wildside.cli.preview_secrets import PreviewSecrets

        vault_addon = PreviewSecrets(seed_secrets_from, generate_secret)
    database_addon = None
    if database:
        from wildside.cli.preview_database import PreviewDatabase

        database_addon = PreviewDatabase()
    if only_if_open:
        from wildside.github.pulls import pull_state

        state = pull_state(repository, request.pr)
        if state != "open":
            skipped = {"pr": request.pr, "sha": request.sha, "changed": False, "commit": None}
            skipped["skipped"] = f"pull request #{request.pr} is {state}; no preview written"
            emit(skipped, as_json=as_json, human=lambda r: str(r["skipped"]))
            return
    now = clock.utc_now()
    progress = Progress(quiet=quiet)
    identity: PreviewIdentity | None = None
    extras: list[OverlayExtras] = []
    if vault_addon or database_addon:
        # Prepare once, outside the Git retry loop, after the cap check.
        identity = service.inspect(location, request.pr, max_previews)
        if vault_addon:
            extras.append(vault_addon.prepare(identity))
        if database_addon:
            extras.append(database_addon.prepare(identity, progress))
    outcome = service.up(
        location,
        request,
        now,
        progress=progress,
        max_previews=max_previews,
        extras=extras,
        prepared_for=identity,
    )
    progress.done()
    result = record_json(outcome.value.record, now) | {
        "commit": outcome.commit,
        "changed": outcome.changed,
        "attempts": outcome.attempts,
        "branch": outcome.branch,
        "repo": location.display,
        "secrets": vault_addon.summary() if vault_addon else None,
        "database": database_addon.summary() if database_addon else None,
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
    vault = None
    if os.environ.get(names.VAULT_ADDRESS_ENV):
        from wildside.cli import preview_secrets

        vault = preview_secrets.down_client()
    progress = Progress(quiet=quiet)
    outcome = service.down(location, number, progress=progress)
    secrets_removed = None
    if vault is not None and outcome.value.identity is not None:
        # After the push: Flux prunes the ExternalSecret before its source goes.
        secrets_removed = preview_secrets.remove_preview_secrets(vault, outcome.value.identity)
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


app.command("gc")(preview_gc.gc_command)
