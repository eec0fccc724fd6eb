"""`wildside platform render`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from wildside.cli.common import BranchOption, JsonOption, QuietOption
from wildside.core.errors import BadInput
from wildside.core.output import Progress, emit
from wildside.gitops import location as locations
from wildside.platform import service

app = typer.Typer(
    help="Render the wildside-infra platform GitOps tree (clusters/, platform/, modules/).",
    no_args_is_help=True,
)


@app.command()
def render(
    cluster: Annotated[
        list[str] | None,
        typer.Option(
            "--cluster", help="Cluster to render (repeatable); its config file is NAME.yaml."
        ),
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Render every cluster configured in --config-dir.")
    ] = False,
    config_dir: Annotated[
        Path,
        typer.Option("--config-dir", help="Folder with one <cluster>.yaml or .toml per cluster."),
    ] = Path("clusters"),
    tofu_outputs: Annotated[
        list[Path] | None,
        typer.Option(
            "--tofu-outputs",
            help="`tofu output -json` of a cluster root (repeatable; matched by cluster_name).",
        ),
    ] = None,
    apps_config: Annotated[
        Path | None,
        typer.Option(
            "--apps-config",
            help="The apps repository's wildside.yaml: check its preview domain and hosts "
            "against the clusters.",
        ),
    ] = None,
    repo: Annotated[
        str | None,
        typer.Option(
            "--repo",
            help="The wildside-infra repository: a bare repository path or Git URL. "
            f"Default: ${service.ENV_VARIABLE}, else the embedded .wildside/{service.DEFAULT_DIR}.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Write the tree into this directory instead of Git."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Overwrite generated files that were edited by hand since rendered."
        ),
    ] = False,
    branch: BranchOption = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Render clusters' platform trees; commit and push them (or write --output)."""
    if output is not None and repo is not None:
        raise BadInput("give either --repo or --output, not both")
    clusters = service.load_clusters(
        config_dir, list(cluster or []), every=every, tofu_files=list(tofu_outputs or [])
    )
    if apps_config is not None:
        service.check_apps_config(apps_config, clusters)
    rendered = service.render_all(clusters)
    result: dict[str, Any]
    if output is not None:
        written = service.write_directory(output, rendered, force=force)
        result = {
            "output": str(output),
            "clusters": written.clusters,
            "changed": bool(written.changed),
            "files": written.changed,
        }
    else:
        location = locations.resolve(
            repo, branch, env_variable=service.ENV_VARIABLE, default_dir=service.DEFAULT_DIR
        )
        progress = Progress(quiet=quiet)
        outcome = service.commit(location, rendered, force=force, progress=progress)
        progress.done()
        result = {
            "repo": location.display,
            "branch": outcome.branch,
            "commit": outcome.commit,
            "clusters": outcome.value.clusters,
            "changed": outcome.changed,
            "files": outcome.value.changed,
        }
    emit(result, as_json=as_json, human=_human)


def _human(result: dict[str, Any]) -> str:
    where = result.get("repo") or result.get("output")
    clusters = ", ".join(result["clusters"])
    if not result["changed"]:
        return f"Platform tree for {clusters} in {where} already up to date"
    commit = f", commit {result['commit']}" if result.get("commit") else ""
    return f"Platform tree for {clusters} written to {where} ({len(result['files'])} files{commit})"
