"""`modules/` of wildside-infra. Decision: a pinned module source replaces a
copy. The OpenTofu modules live in this project's `infra/modules` and are
consumed as `git::…//infra/modules/<name>?ref=<tag>`; copying them into the
platform repository would create a second, drifting source of truth and put
code that needs cloud credentials next to manifests Flux reads. `modules/`
holds the README that records this and the pinned reference to use."""

from __future__ import annotations

from importlib import metadata

MODULES_DIR = "modules"
SOURCE = "git::https://github.com/wildside/wildside-previews.git//infra/modules"
MODULE_NAMES = (
    "doks",
    "fluxcd",
    "vault_appliance",
    "vault_eso",
    "traefik",
    "cert_manager",
    "external_dns",
    "cnpg",
    "redis",
)


def project_ref() -> str:
    try:
        return f"v{metadata.version('wildside')}"
    except metadata.PackageNotFoundError:
        return "v0.1.0"


def tree() -> dict[str, str]:
    ref = project_ref()
    lines = [
        "# modules/",
        "",
        "This folder is written by `wildside platform render`. The OpenTofu modules",
        "are not copied here: they are used from the Wildside Previews project at a",
        "pinned tag, so there is one source of truth and an upgrade is a reviewed",
        "change of `ref`:",
        "",
        "```hcl",
        'module "doks" {',
        f'  source = "{SOURCE}/doks?ref={ref}"',
        "}",
        "```",
        "",
        f"Modules available at `{ref}`:",
        "",
        *[f"- `{SOURCE}/{name}?ref={ref}`" for name in MODULE_NAMES],
        "",
        "The cluster roots (`infra/clusters` in the project) apply them; their",
        "`tofu output -json` feeds `wildside platform render --tofu-outputs FILE`.",
    ]
    return {"README.md": "\n".join(lines) + "\n"}
