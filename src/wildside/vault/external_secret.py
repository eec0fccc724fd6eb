"""`ExternalSecret`s as pure data: Git holds the reference to a Vault KV
path, External Secrets turns it into a Kubernetes Secret in the cluster."""

from __future__ import annotations

from typing import Any

from wildside.core import kube, names

EXTERNAL_SECRETS_API = "external-secrets.io/v1"
FILE_NAME = "external-secret.yaml"


def app_path(environment: str) -> str:
    return f"{names.VAULT_APP_PREFIX}/apps/{environment}"


def preview_path(pr: int) -> str:
    return f"{names.VAULT_APP_PREFIX}/previews/pr-{pr}"


def secret_name(app: str) -> str:
    """The Kubernetes Secret the chart reads (`secrets.existingSecret`)."""
    return f"{app}-env"


def external_secret(
    name: str, key: str, namespace: str | None = None, refresh: str = "1h"
) -> dict[str, Any]:
    """Every key at `key` (a KV v2 path under the ClusterSecretStore's
    mount) becomes one entry of the Secret `name`."""
    return {
        "apiVersion": EXTERNAL_SECRETS_API,
        "kind": "ExternalSecret",
        "metadata": kube.metadata(name, namespace),
        "spec": {
            "refreshInterval": refresh,
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": names.SECRET_STORE},
            "target": {"name": name, "creationPolicy": "Owner"},
            "dataFrom": [{"extract": {"key": key}}],
        },
    }
