"""The `wildside` command: one typer application per domain, errors as one
line on stderr with exit code 1 (operational) or 2 (bad input).

Each CI step runs one command, so only the domain named on the command line
is imported (its clients — hvac, psycopg, httpx — cost a noticeable share of
start-up); `wildside --help` and anything unrecognised load them all."""

from __future__ import annotations

import importlib
import sys

import typer

from wildside.core.errors import WildsideError

# command name -> module defining `app`, in the order `--help` lists them
DOMAINS = {
    "apps": "wildside.cli.apps",
    "preview": "wildside.cli.preview",
    "db": "wildside.cli.db",
    "vault": "wildside.cli.vault",
    "github": "wildside.cli.github",
    "platform": "wildside.cli.platform",
}


def build(argv: list[str]) -> typer.Typer:
    """The command tree, with only the domain in `argv` loaded when it names one."""
    root = typer.Typer(
        name="wildside",
        help="Pull request previews and the platform beneath them, as GitOps commits.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    named = next((arg for arg in argv if not arg.startswith("-")), None)
    wanted = [named] if named in DOMAINS else list(DOMAINS)
    for name in wanted:
        root.add_typer(importlib.import_module(DOMAINS[name]).app, name=name)
    return root


def run() -> None:
    try:
        build(sys.argv[1:])()
    except WildsideError as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        sys.stderr.write(f"wildside: error: {message}\n")
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("wildside: interrupted\n")
        sys.exit(130)
