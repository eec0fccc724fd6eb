"""The `wildside` command: one typer application per domain, errors as one
line on stderr with exit code 1 (operational) or 2 (bad input)."""

from __future__ import annotations

import sys

import typer

from wildside.apps_repo.cli import app as apps_app
from wildside.core.errors import WildsideError
from wildside.databases.cli import app as db_app
from wildside.github.cli import app as github_app
from wildside.platform.cli import app as platform_app
from wildside.previews.cli import app as preview_app
from wildside.vault.cli import app as vault_app

app = typer.Typer(
    name="wildside",
    help="Pull request previews and the platform beneath them, as GitOps commits.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(apps_app, name="apps")
app.add_typer(preview_app, name="preview")
app.add_typer(db_app, name="db")
app.add_typer(vault_app, name="vault")
app.add_typer(github_app, name="github")
app.add_typer(platform_app, name="platform")


def run() -> None:
    try:
        app()
    except WildsideError as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        sys.stderr.write(f"wildside: error: {message}\n")
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("wildside: interrupted\n")
        sys.exit(130)
