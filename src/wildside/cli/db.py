"""`wildside db create|drop|list`, `wildside db template refresh`,
`wildside db pool fill`: preview databases on any PostgreSQL."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from wildside.cli.common import JsonOption, QuietOption
from wildside.core import validation
from wildside.core.errors import BadInput
from wildside.core.output import Progress, emit
from wildside.databases import clones, credentials, naming, template
from wildside.databases.dsn import ENV_VARIABLE, Dsn, resolve

app = typer.Typer(
    help="Preview databases cloned from a seeded template, on any PostgreSQL.",
    no_args_is_help=True,
)
template_app = typer.Typer(help="Build or refresh the template database.", no_args_is_help=True)
pool_app = typer.Typer(help="Warm pool of pre-cloned databases.", no_args_is_help=True)
app.add_typer(template_app, name="template")
app.add_typer(pool_app, name="pool")

DsnOption = Annotated[
    str | None,
    typer.Option(
        "--dsn",
        help=f"PostgreSQL connection string (superuser, or CREATEDB + CREATEROLE). "
        f"Default: ${ENV_VARIABLE}, which keeps a password out of process listings.",
        show_default=False,
    ),
]
PrOption = Annotated[str, typer.Option("--pr", help="Pull request number.", show_default=False)]
TemplateOption = Annotated[str, typer.Option("--template", help="Template database to clone.")]
StrategyOption = Annotated[
    clones.Strategy,
    typer.Option(
        "--strategy",
        help="How CREATE DATABASE copies the template. auto: wal_log below 200 MB, "
        "file_copy from 200 MB (measured under load by benchmarks/db_clone_load.py).",
        case_sensitive=False,
    ),
]


def _dsn(value: str | None) -> Dsn:
    dsn = resolve(value)
    if value and dsn.password:
        # argv is visible to every user of the machine (ps, /proc): refuse it there.
        raise BadInput(
            "--dsn carries a password, which would show in the process list: give the DSN "
            f"in ${ENV_VARIABLE}, or the password in PGPASSWORD or ~/.pgpass"
        )
    return dsn


@app.command()
def create(
    pr: PrOption,
    dsn: DsnOption = None,
    template_name: TemplateOption = naming.DEFAULT_TEMPLATE,
    strategy: StrategyOption = clones.DEFAULT_STRATEGY,
    pool: Annotated[
        bool, typer.Option("--pool/--no-pool", help="Claim a pre-cloned database when one is warm.")
    ] = True,
    app_host: Annotated[
        str | None,
        typer.Option(
            "--app-host",
            help="HOST[:PORT] the application connects to (default: the --dsn host and port).",
        ),
    ] = None,
    credentials_dir: Annotated[
        Path | None,
        typer.Option(
            "--credentials-dir",
            help=f"Where the 0600 credentials file goes when Vault is not configured "
            f"(VAULT_ADDR + VAULT_TOKEN). Default: ${credentials.CREDENTIALS_DIR_ENV}, "
            "else ~/.local/state/wildside/databases.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Create the preview database of a pull request (idempotent). The role's
    password goes to Vault or a 0600 file; it is never printed."""
    number = validation.pr_number(pr)
    source = template.template_name(template_name)
    progress = Progress(quiet=quiet)
    connection = _dsn(dsn)
    target = clones.target_of(connection, app_host)
    store = credentials.store_from_env(credentials_dir)
    result = clones.create(
        connection,
        number,
        template=source,
        strategy=strategy,
        store=store,
        target=target,
        use_pool=pool,
        progress=progress,
    )
    progress.done()
    emit(asdict(result), as_json=as_json, human=_human_create)


def _human_create(result: dict[str, Any]) -> str:
    if not result["created"]:
        state = "exists, unchanged"
    elif result["method"] == "pool":
        state = f"claimed from the pool in {result['seconds']:.3f} s"
    else:
        state = f"cloned ({result['strategy']}) in {result['seconds']:.3f} s"
    written = "written" if result["credentials_written"] else "kept"
    return "\n".join(
        [
            f"Database {result['database']} for PR #{result['pr']}: {state}",
            f"  role         {result['role']}",
            f"  credentials  {result['credentials']} ({written}; the password is not printed)",
        ]
    )


@app.command()
def drop(
    pr: PrOption,
    dsn: DsnOption = None,
    credentials_dir: Annotated[
        Path | None,
        typer.Option("--credentials-dir", help="Where `create` wrote the credentials file."),
    ] = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Drop a preview database (sessions terminated first), its role and its
    stored credentials. Refuses databases without the wildside marker."""
    number = validation.pr_number(pr)
    progress = Progress(quiet=quiet)
    connection = _dsn(dsn)
    result = clones.drop(
        connection, number, store=credentials.store_from_env(credentials_dir), progress=progress
    )
    progress.done()
    emit(
        asdict(result),
        as_json=as_json,
        human=lambda r: (
            f"Dropped {r['database']}" + (" and its role" if r["dropped_role"] else "")
            if r["dropped_database"] or r["dropped_role"]
            else f"No database {r['database']}; nothing to drop"
        ),
    )


@app.command("list")
def list_command(dsn: DsnOption = None, as_json: JsonOption = False) -> None:
    """List preview databases and warm pool databases."""
    rows = [asdict(row) for row in clones.list_databases(_dsn(dsn))]
    emit(rows, as_json=as_json, human=_human_list)


def _human_list(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "No preview databases."
    lines = [f"{'PR':>8}  {'KIND':<8}  {'SIZE':>9}  DATABASE"]
    for row in rows:
        size = "?" if row["size_bytes"] is None else f"{row['size_bytes'] / 1_048_576:.1f} MB"
        pr = "" if row["pr"] is None else str(row["pr"])
        lines.append(f"{pr:>8}  {row['kind']:<8}  {size:>9}  {row['name']}")
    return "\n".join(lines)


@template_app.command("refresh")
def template_refresh(
    dsn: DsnOption = None,
    template_name: TemplateOption = naming.DEFAULT_TEMPLATE,
    migrations: Annotated[
        Path | None,
        typer.Option("--migrations", help="Directory of *.sql migrations, applied in name order."),
    ] = None,
    seed: Annotated[
        Path | None, typer.Option("--seed", help="SQL file with seed data (plain statements).")
    ] = None,
    dump: Annotated[
        Path | None,
        typer.Option("--dump", help="A sanitised pg_dump (custom or plain format) to load."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild even when the inputs are unchanged.")
    ] = False,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Build the template under a temporary name, then swap it in; mark it as
    a template, close it to connections and terminate every session on it."""
    name = template.template_name(template_name)
    source = template.validate_source(template.TemplateSource(migrations, seed, dump))
    progress = Progress(quiet=quiet)
    connection = _dsn(dsn)
    result = template.refresh(connection, name, source, force=force, progress=progress)
    progress.done()
    emit(
        asdict(result),
        as_json=as_json,
        human=lambda r: (
            f"Template {r['template']} rebuilt ({r['migrations']} migration(s), "
            f"sha256 {r['digest'][:12]})"
            if r["changed"]
            else f"Template {r['template']} is up to date (sha256 {r['digest'][:12]})"
        ),
    )


@pool_app.command("fill")
def pool_fill(
    size: Annotated[int, typer.Option("--size", help="How many warm databases to keep.")],
    dsn: DsnOption = None,
    template_name: TemplateOption = naming.DEFAULT_TEMPLATE,
    strategy: StrategyOption = clones.DEFAULT_STRATEGY,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Keep SIZE pre-cloned databases of the current template ready for
    `db create` to claim by rename; stale ones (older template) are dropped."""
    name = template.template_name(template_name)
    progress = Progress(quiet=quiet)
    connection = _dsn(dsn)
    result = clones.fill_pool(
        connection, template=name, size=size, strategy=strategy, progress=progress
    )
    progress.done()
    emit(
        asdict(result),
        as_json=as_json,
        human=lambda r: (
            f"Pool of {r['template']}: {r['size']} warm database(s) "
            f"({r['created']} created, {r['dropped_stale']} stale dropped)"
        ),
    )
