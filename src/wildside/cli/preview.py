"""`wildside preview up|down|list`."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from wildside.cli import preview_gc
from wildside.cli.common import BranchOption, JsonOption, QuietOption, RepoOption
from wildside.contract import names
from wildside.contract.identity import PreviewIdentity
from wildside.core import clock, validation
from wildside.core.errors import BadInput, OperationalError
from wildside.core.output import Progress, emit
from wildside.previews import admission, service
from wildside.previews import repository as apps
from wildside.previews.model import PreviewRecord, PreviewRequest

app = typer.Typer(
    help="Create, update, remove and list pull request previews.", no_args_is_help=True
)

SecretsOption = Annotated[
    bool | None,
    typer.Option(
        "--secrets/--no-secrets",
        help="Give the preview an ExternalSecret for its own Vault path "
        "wildside/previews/<app>/pr-<N> (implied by --seed-secrets-from and "
        "--generate-secret). Needs VAULT_ADDR and VAULT_TOKEN (or VAULT_ROLE_ID and "
        "VAULT_SECRET_ID). Kept on later runs until --no-secrets.",
        show_default=False,
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
    bool | None,
    typer.Option(
        "--database/--no-database",
        help="Give the preview its own database: a CloudNativePG Database cloned from the "
        "template in the shared cluster, its role, and an ExternalSecret with DATABASE_URL "
        "(placeholder << database.name >>). With VAULT_ADDR and VAULT_TOKEN set, the "
        "role's password is generated into the preview's Vault path once. Kept on later "
        "runs until --no-database (which drops the database).",
        show_default=False,
    ),
]
PrOption = Annotated[str, typer.Option("--pr", help="Pull request number.", show_default=False)]


def record_json(record: PreviewRecord, now: datetime) -> dict[str, Any]:
    options = record.options
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
        "options": {
            "images": dict(options.images),
            "ttl": validation.format_ttl(options.ttl) if options.ttl else None,
            "pinned": options.pinned,
            "database": options.database,
            "secrets": options.secrets,
            "preview_domain": options.preview_domain,
            "values": dict(options.values),
        },
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
            help="COMPONENT=REPOSITORY, repeatable (e.g. backend=ghcr.io/acme/backend); "
            "COMPONENT must be one of wildside.yaml's images. Kept on later runs.",
        ),
    ] = None,
    values: Annotated[
        Path | None,
        typer.Option(
            "--values",
            help="YAML file of extra chart values, merged over the values template "
            "(<< placeholders >> allowed). Kept on later runs until another --values or "
            "--no-values.",
            show_default=False,
        ),
    ] = None,
    no_values: Annotated[
        bool, typer.Option("--no-values", help="Forget the extra values given before.")
    ] = False,
    default_images: Annotated[
        bool,
        typer.Option(
            "--default-images", help="Forget earlier --image choices: wildside.yaml's images."
        ),
    ] = False,
    reset_options: Annotated[
        bool,
        typer.Option(
            "--reset-options",
            help="Forget every option stored with the preview (images, TTL, pin, database, "
            "secrets, preview domain, values) and apply only this run's flags over "
            "wildside.yaml's defaults. A database or secrets not given again are removed.",
        ),
    ] = False,
    preview_domain: Annotated[
        str | None,
        typer.Option("--preview-domain", help="Domain under which pr-N.<domain> is served."),
    ] = None,
    ttl: Annotated[
        str | None,
        typer.Option(
            "--ttl", help="Time to live after the last update, e.g. 72h or 7d. Kept on later runs."
        ),
    ] = None,
    pin: Annotated[
        bool | None,
        typer.Option(
            "--pin/--unpin",
            help="Pinned previews never expire. Kept on later runs.",
            show_default=False,
        ),
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
    secrets: SecretsOption = None,
    seed_secrets_from: SeedFromOption = None,
    generate_secret: GenerateOption = None,
    database: DatabaseOption = None,
    only_if_open: Annotated[
        bool,
        typer.Option(
            "--only-if-open",
            help="Ask GitHub (GITHUB_TOKEN; --repository or GITHUB_REPOSITORY) right before "
            "each push and write nothing when the pull request is not open or --sha is not "
            "its head; a torn-down preview comes back only if the pull request was reopened.",
        ),
    ] = False,
    reopen: Annotated[
        bool,
        typer.Option(
            "--reopen",
            help="The pull request was reopened: create the preview although `down` left a "
            "tombstone.",
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
    """Create or update the preview of a pull request, commit and push it.

    Every option is stored with the preview and kept until changed explicitly."""
    wants_secrets = True if (seed_secrets_from or generate_secret) else secrets
    if wants_secrets is False and (seed_secrets_from or generate_secret):
        raise BadInput("--no-secrets contradicts --seed-secrets-from/--generate-secret: drop one")
    if values is not None and no_values:
        raise BadInput("--values and --no-values contradict each other: give one")
    from wildside.cli.apps import read_values_file

    extra_values = read_values_file(values, "--values") if values is not None else None
    request = PreviewRequest(
        pr=validation.pr_number(pr),
        sha=validation.commit_sha(sha),
        images=dict(validation.image_assignment(item) for item in image or []),
        preview_domain=validation.domain(preview_domain) if preview_domain else None,
        ttl=validation.ttl(ttl) if ttl else None,
        pinned=pin,
        database=database,
        secrets=wants_secrets,
        default_images=default_images,
        reset_options=reset_options,
        values=extra_values,
        clear_values=no_values,
        reopen=reopen,
    )
    if max_previews is not None and max_previews < 1:
        raise BadInput(f"--max-previews {max_previews} is too small: give 1 or more")
    location = apps.location(repo, branch)
    # Add-on clients are made (and their options checked) at the edge, before
    # anything is written; their modules load only when a flag asks for them.
    vault_addon = None
    if wants_secrets:
        from wildside.cli.preview_secrets import PreviewSecrets

        vault_addon = PreviewSecrets(seed_secrets_from, generate_secret)
    database_addon = None
    if database:
        from wildside.cli.preview_database import PreviewDatabase

        database_addon = PreviewDatabase()
    pull_check = None
    if only_if_open:
        from wildside.cli.preview_pulls import pull_check as make_pull_check

        pull_check = make_pull_check(repository)
        # Asked once here too, so a closed pull request costs no Vault or database work.
        early = admission.refusal(request, None, None, pull_check(request.pr))
        if early is not None:
            skipped = {"pr": request.pr, "sha": request.sha, "changed": False, "commit": None}
            emit(skipped | {"skipped": early}, as_json=as_json, human=lambda r: str(r["skipped"]))
            return
    now = clock.utc_now()
    progress = Progress(quiet=quiet)
    identity: PreviewIdentity | None = None
    if vault_addon or database_addon:
        # Prepare once, outside the Git retry loop, after the cap check.
        identity, refused = service.inspect_up(location, request, max_previews)
        # A refused up prepares nothing; the loop below says why, on its own tip.
        # (With --only-if-open GitHub may still say "reopened" there.)
        if refused is None or pull_check is not None:
            if vault_addon:
                vault_addon.prepare(identity)
            if database_addon:
                database_addon.prepare(identity, progress)
    outcome = service.up(
        location,
        request,
        now,
        progress=progress,
        max_previews=max_previews,
        prepared_for=identity,
        addons=_addons(),
        pull_check=pull_check,
    )
    progress.done()
    value = outcome.value
    result: dict[str, Any] = {"pr": request.pr, "sha": request.sha}
    if value.record is not None:
        result = record_json(value.record, now)
    result |= {
        "commit": outcome.commit,
        "changed": outcome.changed,
        "attempts": outcome.attempts,
        "branch": outcome.branch,
        "repo": location.display,
        "skipped": value.skipped,
        "secrets": vault_addon.summary() if vault_addon else None,
        "database": database_addon.summary() if database_addon else None,
    }
    if value.skipped:
        result["requested_sha"] = request.sha
        emit(result, as_json=as_json, human=lambda r: str(r["skipped"]))
        return
    emit(result, as_json=as_json, human=_human_up)


def _addons() -> service.AddOns:
    """The add-ons' pure overlays, rendered whenever the preview's record has
    them enabled (their I/O ran above only when a flag asked for it)."""
    from wildside.databases import declarative
    from wildside.vault import preview_overlay

    return service.AddOns(secrets=preview_overlay.overlay, database=declarative.overlay)


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
    sha: Annotated[
        str | None,
        typer.Option(
            "--sha",
            help="Head SHA of the pull request when it closed, kept in the tombstone "
            "(default: the deployed SHA).",
            show_default=False,
        ),
    ] = None,
    repo: RepoOption = None,
    branch: BranchOption = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Remove the preview of a pull request and leave a tombstone; absent previews succeed.

    What the preview owns outside Git (its Vault path, its database role) is
    removed when VAULT_ADDR is set; anything left is named (a warning with
    --json) and recorded in the tombstone for `preview gc` to finish. When
    Vault fails after the teardown was pushed, the exit status is 1."""
    number = validation.pr_number(pr)
    head = validation.commit_sha(sha) if sha else None
    location = apps.location(repo, branch)
    vault = None
    if os.environ.get(names.VAULT_ADDRESS_ENV):
        from wildside.cli import preview_secrets

        vault = preview_secrets.down_client()
    progress = Progress(quiet=quiet)
    outcome = service.down(location, number, sha=head, progress=progress)
    down_result = outcome.value
    tombstone = down_result.tombstone
    done: list[str] = []
    missed: list[str] = []  # left behind but not in the tombstone: gc's orphan sweep finds it
    secrets_removed = False
    vault_failure: str | None = None
    identity = down_result.identity
    vault_item = f"{service.VAULT_LEFTOVER}{identity.vault_path}" if identity else ""
    if (
        vault is not None
        and identity is not None
        and tombstone is not None
        # Any preview removed now, even one whose record no longer uses Vault
        # (switched to --no-secrets, its path stays until now), or one an
        # earlier down recorded.
        and (down_result.record is not None or vault_item in tombstone.left_behind)
    ):
        # After the push: Flux prunes the ExternalSecret before its source goes.
        try:
            removed = preview_secrets.remove_preview_secrets(vault, identity)
        except OperationalError as error:
            # The teardown itself is pushed; what stays is named below (exit 1).
            vault_failure = str(error)
            if vault_item not in tombstone.left_behind:
                missed.append(vault_item)
        else:
            secrets_removed = bool(removed)
            done.append(vault_item)
    progress.done()
    recorded = tombstone.left_behind if tombstone else ()
    left = [item for item in (*recorded, *missed) if item not in done]
    record = down_result.record
    result = {
        "pr": number,
        "path": down_result.path,
        "namespace": record.namespace if record else None,
        "commit": outcome.commit,
        "changed": outcome.changed,
        "attempts": outcome.attempts,
        "branch": outcome.branch,
        "repo": location.display,
        "removed": record is not None,
        "secrets_removed": secrets_removed,
        "left_behind": left,
    }
    emit(result, as_json=as_json, human=_human_down)
    if vault_failure is not None:
        raise OperationalError(
            f"pr-{number} is torn down, but {vault_failure}; left behind for "
            f"`wildside preview gc` to finish: {', '.join(left)}"
        )
    if left and as_json:
        # The human output says it on stdout; a JSON reader's log still shows it.
        _warn(
            f"pr-{number} left behind {', '.join(left)}; recorded in the tombstone for "
            "`wildside preview gc` to finish"
        )


def _warn(message: str) -> None:
    """A warning the job shows without failing: an annotation in Actions."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        sys.stderr.write(f"::warning title=Preview teardown::{message}\n")
    else:
        sys.stderr.write(f"wildside: warning: {message}\n")


def _human_down(result: dict[str, Any]) -> str:
    number = result["pr"]
    lines = [
        f"Preview pr-{number} removed (commit {result['commit']})"
        if result["removed"]
        else f"No preview for pr-{number}; a tombstone keeps a late deploy out"
    ]
    if result["left_behind"]:
        lines.append(
            "  left behind, recorded in the tombstone for `wildside preview gc` to finish: "
            + ", ".join(result["left_behind"])
        )
    return "\n".join(lines)


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
