"""Options and helpers every command shares."""

from __future__ import annotations

from typing import Annotated

import typer

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON object (or list) on stdout.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")]
RepoOption = Annotated[
    str | None,
    typer.Option(
        "--repo",
        help="The wildside-apps repository: a local bare repository path or any Git URL. "
        "Default: $WILDSIDE_APPS_REPO, else the embedded .wildside/apps.git.",
        show_default=False,
    ),
]
BranchOption = Annotated[
    str | None,
    typer.Option("--branch", help="Branch to push to. Default: the remote's default branch."),
]
