"""`wildside apps init`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from wildside.cli.common import BranchOption, JsonOption, QuietOption, RepoOption
from wildside.core import validation
from wildside.core.errors import BadInput, WildsideError
from wildside.core.output import Progress, emit
from wildside.core.yaml_io import load_documents
from wildside.previews import repository
from wildside.previews.config import AppsConfig, ChartSource

app = typer.Typer(
    help="Lay out and maintain the wildside-apps GitOps repository.", no_args_is_help=True
)


@app.command()
def init(
    app_name: Annotated[
        str, typer.Option("--app", help="Application (and release) name.")
    ] = "wildside",
    image: Annotated[
        list[str] | None,
        typer.Option(
            "--image", help="COMPONENT=REPOSITORY, repeatable. Default: backend and frontend."
        ),
    ] = None,
    preview_domain: Annotated[
        str, typer.Option("--preview-domain", help="Previews are served at pr-N.<domain>.")
    ] = "previews.example.com",
    production_host: Annotated[
        str, typer.Option(help="Production ingress host.")
    ] = "wildside.example.com",
    staging_host: Annotated[
        str, typer.Option(help="Staging ingress host.")
    ] = "staging.wildside.example.com",
    chart_url: Annotated[
        str, typer.Option(help="Helm repository of the app chart (https:// or oci://).")
    ] = "oci://ghcr.io/wildside/charts",
    chart_name: Annotated[str, typer.Option(help="Chart name.")] = "wildside",
    chart_version: Annotated[str, typer.Option(help="Chart version (or semver range).")] = "0.1.0",
    ttl: Annotated[str, typer.Option("--ttl", help="Default preview time to live.")] = "7d",
    values_template: Annotated[
        Path | None,
        typer.Option(
            "--values-template",
            help="YAML file: the chart values of a preview, with << placeholders >> "
            "(<< host >>, << images.backend.tag >>, … see the README). Default: the "
            "contract of charts/wildside.",
            show_default=False,
        ),
    ] = None,
    repo: RepoOption = None,
    branch: BranchOption = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Lay out base/, overlays/{production,staging,ephemeral} and wildside.yaml."""
    if not chart_url.startswith(("https://", "http://", "oci://")):
        raise BadInput(
            f"--chart-url {chart_url!r} is not a Helm repository URL: use https:// or oci://"
        )
    images = dict(validation.image_assignment(item) for item in image or [])
    # The options in their own words first; AppsConfig names its fields as wildside.yaml does.
    validation.dns_label(app_name, option="--app")
    validation.domain(preview_domain)
    validation.hostname(production_host, option="--production-host")
    validation.hostname(staging_host, option="--staging-host")
    validation.ttl(ttl)
    template = read_values_file(values_template, "--values-template") if values_template else None
    try:
        config = AppsConfig(
            app=app_name,
            preview_domain=preview_domain,
            production_host=production_host,
            staging_host=staging_host,
            preview_ttl=ttl,
            chart=ChartSource(url=chart_url, name=chart_name, version=chart_version),
            **({"images": images} if images else {}),
            **({"values_template": template} if template is not None else {}),
        )
    except ValidationError as error:
        raise validation.config_error("apps init", error) from None
    location = repository.location(repo, branch)
    progress = Progress(quiet=quiet)
    outcome = repository.init(location, config, progress=progress)
    progress.done()
    result = {
        "repo": location.display,
        "branch": outcome.branch,
        "commit": outcome.commit,
        "changed": outcome.changed,
        "files": outcome.value.files,
    }
    emit(
        result,
        as_json=as_json,
        human=lambda r: (
            f"Apps repository {r['repo']} laid out ({len(r['files'])} files changed, "
            f"commit {r['commit']})"
            if r["changed"]
            else f"Apps repository {r['repo']} already up to date"
        ),
    )


def read_values_file(path: Path, option: str) -> dict[str, Any]:
    """One YAML mapping of chart values from a file; anything else is bad input."""
    try:
        text = path.read_text(encoding="utf-8")
        documents = load_documents(text, source=str(path))
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise BadInput(
            f"{option} {str(path)!r} cannot be read ({reason}): give a YAML file"
        ) from None
    except WildsideError as error:
        raise BadInput(f"{option} {error}") from None
    if len(documents) != 1 or not isinstance(documents[0], dict):
        raise BadInput(
            f"{option} {str(path)!r} is not one YAML mapping of chart values: "
            "write the values as one document"
        )
    template: dict[str, Any] = documents[0]
    return template
