"""The `wildside` command: one typer application per domain, errors as one
line on stderr with exit code 1 (operational) or 2 (bad input, including
every usage error: a missing option, an extra argument, an unknown command).

Each CI step runs one command, so only the domain named on the command line
is imported (its clients — hvac, psycopg, httpx — cost a noticeable share of
start-up); `wildside --help` and anything unrecognised load them all."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer._click.core import Command
from typer._click.exceptions import (
    BadParameter,
    ClickException,
    NoArgsIsHelpError,
    UsageError,
)
from typer.core import TyperGroup
from typer.exceptions import Abort

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
PROG = "wildside"
# Help is laid out for 80 columns whatever the terminal (or CI log) is.
HELP_WIDTH = 80
USAGE_EXIT = 2


def version() -> str:
    from importlib import metadata  # only for --version: it costs a tenth of start-up

    try:
        return metadata.version(PROG)
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"{PROG} {version()}")
        raise typer.Exit


def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Pull request previews and the platform beneath them, as GitOps commits."""


def build(argv: Sequence[str]) -> typer.Typer:
    """The command tree, with only the domain in `argv` loaded when it names one."""
    root = typer.Typer(
        name=PROG,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        rich_markup_mode=None,
        context_settings={"terminal_width": HELP_WIDTH, "max_content_width": HELP_WIDTH},
    )
    root.callback()(_root)
    named = next((arg for arg in argv if not arg.startswith("-")), None)
    wanted = [named] if named in DOMAINS else list(DOMAINS)
    if named is None and "--version" in argv:
        wanted = []  # the eager --version answers before any command is looked up
    for name in wanted:
        root.add_typer(importlib.import_module(DOMAINS[name]).app, name=name)
    return root


def _first_sentence(text: str) -> str:
    paragraph = " ".join(text.strip().split("\n\n", 1)[0].split())
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[: end + 1]


def _tidy(command: Command) -> None:
    """Command lists show each command's whole first sentence (click would cut
    it at a width-dependent length, mid-sentence)."""
    if command.help and not command.short_help:
        command.short_help = _first_sentence(command.help)
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            _tidy(sub)


def command(argv: Sequence[str]) -> Command:
    """The click command `argv` runs, help tidied."""
    built = typer.main.get_command(build(argv))
    _tidy(built)
    return built


def _named_path(root: Command, argv: Sequence[str]) -> str:
    """`wildside <group> <command>` as far as `argv` names one."""
    words, node = [PROG], root
    for arg in argv:
        if not isinstance(node, TyperGroup) or arg not in node.commands:
            break
        words.append(arg)
        node = node.commands[arg]
    return " ".join(words)


def _usage_line(error: UsageError, root: Command, argv: Sequence[str]) -> str:
    path = error.ctx.command_path if error.ctx is not None else _named_path(root, argv)
    if isinstance(error, NoArgsIsHelpError):
        group = error.ctx.command if error.ctx is not None else None
        names = sorted(group.commands) if isinstance(group, TyperGroup) else []
        return f"`{path}` needs a command: one of {', '.join(names)} (see `{path} --help`)"
    message = error.format_message()
    value = _rejected_value(error)
    if value is not None:
        message = message.replace("Invalid value for", f"Invalid value {value} for", 1)
    message = " ".join(message.split()).rstrip(".")
    return f"{message} (see `{path} --help`)"


def _rejected_value(error: UsageError) -> str | None:
    """The value typer's type check refused (it names only the option)."""
    errors = getattr(error.__cause__, "errors", None)
    if not isinstance(error, BadParameter) or not callable(errors):
        return None
    found = errors()
    if not found or "input" not in found[0]:
        return None
    shown = repr(found[0]["input"])
    return shown if len(shown) <= 60 else shown[:57] + "..."


def main(argv: Sequence[str]) -> int:
    """Run `wildside` with `argv`; return the exit code. Every failure is one
    line on stderr: no traceback, no box."""
    args = list(argv)
    root = command(args)
    try:
        result: Any = root.main(args=args, prog_name=PROG, standalone_mode=False)
    except WildsideError as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        sys.stderr.write(f"{PROG}: error: {message}\n")
        return error.exit_code
    except UsageError as error:
        sys.stderr.write(f"{PROG}: error: {_usage_line(error, root, args)}\n")
        return USAGE_EXIT
    except ClickException as error:
        sys.stderr.write(f"{PROG}: error: {' '.join(error.format_message().split())}\n")
        return error.exit_code
    except (KeyboardInterrupt, Abort):
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except OSError as error:  # the file system refused (a path given, or the cache directory)
        where = f" {error.filename}" if error.filename else ""
        sys.stderr.write(f"{PROG}: error: cannot use{where}: {error.strerror or error}\n")
        return 1
    return result if isinstance(result, int) else 0


def run() -> None:
    sys.exit(main(sys.argv[1:]))
