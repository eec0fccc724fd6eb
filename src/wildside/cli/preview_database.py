"""The database side of `wildside preview up --database`: the option and the
glue the preview CLI calls, kept here so the preview CLI stays small."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wildside.core.output import Progress
from wildside.databases import credentials, declarative
from wildside.previews.service import ExtrasFactory

DatabaseOption = Annotated[
    bool,
    typer.Option(
        "--database",
        help="Give the preview its own database: a CloudNativePG Database cloned from the "
        "template in the shared cluster, its role, and an ExternalSecret with DATABASE_URL "
        "(chart value database.existingSecret). With VAULT_ADDR and VAULT_TOKEN set, the "
        "role's password is generated into Vault (wildside/previews/pr-<N>) once.",
    ),
]


class PreviewDatabase:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._factory = (
            declarative.DatabaseExtras(credentials.vault_from_env()) if enabled else None
        )

    def extras(self, progress: Progress) -> ExtrasFactory | None:
        if self._factory is not None and self._factory.vault is None:
            progress.step(
                "note: VAULT_ADDR/VAULT_TOKEN not set; the preview's database credentials "
                "must be put at wildside/previews/pr-<N> before its ExternalSecret can sync"
            )
        return self._factory

    def summary(self) -> dict[str, Any] | None:
        if self._factory is None:
            return None
        return {
            "enabled": True,
            "credentials": self._factory.stored[-1] if self._factory.stored else None,
        }
