"""The Vault side of `wildside preview up|down|gc`: validated at the edge,
prepared once before the Git loop. Imported only when a flag needs Vault."""

from __future__ import annotations

import os
from typing import Any

import hvac

from wildside.contract.identity import PreviewIdentity
from wildside.contract.overlay import OverlayExtras
from wildside.vault import client as vault_client
from wildside.vault import preview_secrets


class PreviewSecrets:
    """Checks the options and makes the client at the edge (before any write);
    `prepare` seeds Vault once and returns the overlay's additions."""

    def __init__(self, seed_from: str | None, generate: list[str] | None) -> None:
        keys = tuple(preview_secrets.secret_key(key) for key in generate or [])
        allowed = preview_secrets.seed_allow_list(os.environ.get(preview_secrets.SEED_ALLOW_ENV))
        template = preview_secrets.template_path(seed_from, allowed) if seed_from else None
        self.plan = preview_secrets.SeedPlan(template=template, generate=keys)
        self.result: preview_secrets.SeedResult | None = None
        self._client = vault_client.from_environment(purpose="--secrets")

    def prepare(self, identity: PreviewIdentity) -> OverlayExtras:
        self.result = preview_secrets.seed(self._client, identity, self.plan)
        return preview_secrets.overlay(identity)

    def summary(self) -> dict[str, Any] | None:
        if self.result is None:
            return None
        return {
            "path": self.result.path,
            "written": self.result.written,
            "copied": sorted(self.result.copied),
            "generated": sorted(self.result.generated),
            "kept": sorted(self.result.kept),
        }


def vault_configured() -> bool:
    return bool(os.environ.get(vault_client.ADDRESS_ENV))


def down_client() -> hvac.Client | None:
    """A client when Vault is configured (VAULT_ADDR set), checked before
    the Git push so a missing token fails early."""
    if not vault_configured():
        return None
    return vault_client.from_environment(purpose="removing the preview's Vault path")


def remove_preview_secrets(client: hvac.Client | None, identity: PreviewIdentity) -> bool | None:
    if client is None:
        return None
    return preview_secrets.delete(client, identity)
