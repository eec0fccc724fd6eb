"""The database side of `wildside preview up --database`: prepared once
before the Git loop. Imported only when the flag is given."""

from __future__ import annotations

from typing import Any

from wildside.contract.identity import PreviewIdentity
from wildside.contract.overlay import OverlayExtras
from wildside.core.output import Progress
from wildside.databases import credentials, declarative


class PreviewDatabase:
    def __init__(self) -> None:
        # At the edge: a configured Vault without a usable token fails before any write.
        self._vault = credentials.vault_from_env()
        self.stored: str | None = None

    def prepare(self, identity: PreviewIdentity, progress: Progress) -> OverlayExtras:
        vault = self._vault.for_app(identity.app) if self._vault is not None else None
        if vault is None:
            progress.step(
                "note: VAULT_ADDR/VAULT_TOKEN not set; the preview's database credentials "
                f"must be put at {identity.vault_path} before its ExternalSecret can sync"
            )
        self.stored = declarative.prepare(vault, identity)
        return declarative.overlay(identity)

    def summary(self) -> dict[str, Any]:
        return {"enabled": True, "credentials": self.stored}
