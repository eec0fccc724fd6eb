"""The Vault side of `wildside preview up|down`: options and the glue the
preview CLI calls, kept here so the preview CLI stays small."""

from __future__ import annotations

import os
from typing import Annotated, Any

import hvac
import typer

from wildside.previews.service import ExtrasFactory
from wildside.vault import client as vault_client
from wildside.vault import preview_secrets

SecretsOption = Annotated[
    bool,
    typer.Option(
        "--secrets",
        help="Give the preview an ExternalSecret for Vault path wildside/previews/pr-<N> "
        "(implied by --seed-secrets-from and --generate-secret). Needs VAULT_ADDR and "
        "VAULT_TOKEN (or VAULT_ROLE_ID and VAULT_SECRET_ID).",
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


class PreviewSecrets:
    """Validated at the edge (before any write), then used by `up`."""

    def __init__(self, enabled: bool, seed_from: str | None, generate: list[str] | None) -> None:
        keys = tuple(preview_secrets.secret_key(key) for key in generate or [])
        template = preview_secrets.template_path(seed_from) if seed_from else None
        self.enabled = enabled or bool(keys) or template is not None
        self.plan = preview_secrets.SeedPlan(template=template, generate=keys)
        self.results: list[preview_secrets.SeedResult] = []
        self._client: hvac.Client | None = None
        if self.enabled:
            self._client = vault_client.from_environment(purpose="--secrets")

    def extras(self) -> ExtrasFactory | None:
        if self._client is None:
            return None
        return preview_secrets.extras_factory(self._client, self.plan, self.results)

    def summary(self) -> dict[str, Any] | None:
        if not self.enabled or not self.results:
            return None
        # The commit loop may seed more than once: what any attempt wrote counts
        # as written, not as "kept" by the attempt that found it there.
        copied = {key for r in self.results for key in r.copied}
        generated = {key for r in self.results for key in r.generated}
        return {
            "path": self.results[-1].path,
            "written": any(result.written for result in self.results),
            "copied": sorted(copied),
            "generated": sorted(generated),
            "kept": sorted(set(self.results[-1].kept) - copied - generated),
        }


def vault_configured() -> bool:
    return bool(os.environ.get(vault_client.ADDRESS_ENV))


def down_client() -> hvac.Client | None:
    """A client when Vault is configured (VAULT_ADDR set), checked before
    the Git push so a missing token fails early."""
    if not vault_configured():
        return None
    return vault_client.from_environment(purpose="removing the preview's Vault path")


def remove_preview_secrets(client: hvac.Client | None, pr: int) -> bool | None:
    if client is None:
        return None
    return preview_secrets.delete(client, pr)
