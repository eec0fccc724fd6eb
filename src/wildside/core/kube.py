"""Small builders for Kubernetes-shaped dictionaries shared by every renderer."""

from __future__ import annotations

from typing import Any

KUSTOMIZE_API = "kustomize.config.k8s.io/v1beta1"
FLUX_KUSTOMIZE_API = "kustomize.toolkit.fluxcd.io/v1"
HELM_API = "helm.toolkit.fluxcd.io/v2"
SOURCE_API = "source.toolkit.fluxcd.io/v1"


def metadata(
    name: str,
    namespace: str | None = None,
    *,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(sorted(labels.items()))
    if annotations:
        meta["annotations"] = dict(sorted(annotations.items()))
    return meta


def kustomization(resources: list[str], **fields: Any) -> dict[str, Any]:
    """A kustomize `kustomization.yaml` (not the Flux custom resource)."""
    document: dict[str, Any] = {"apiVersion": KUSTOMIZE_API, "kind": "Kustomization"}
    document.update({key: value for key, value in fields.items() if value is not None})
    document["resources"] = resources
    return document
