"""Pure: what a preview with secrets adds to its overlay. Kept apart from the
Vault client so a re-run that only keeps the option loads no client."""

from __future__ import annotations

from wildside.contract import kube
from wildside.contract.identity import PreviewIdentity
from wildside.contract.overlay import EXTERNAL_SECRET_FILE, OverlayExtras
from wildside.core.yaml_io import dump


def overlay(identity: PreviewIdentity) -> OverlayExtras:
    """The preview's ExternalSecret: Git holds the reference to its Vault path;
    the chart learns the Secret's name through `<< secrets.name >>`."""
    return OverlayExtras(
        files={
            EXTERNAL_SECRET_FILE: dump(
                kube.external_secret(identity.app_secret, extract=identity.vault_path)
            )
        },
    )
