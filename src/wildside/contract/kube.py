"""Every Kubernetes API version string the renderers write, and one builder
per kind that more than one renderer emits."""

from __future__ import annotations

from typing import Any

from wildside.contract import names

Document = dict[str, Any]

KUSTOMIZE_API = "kustomize.config.k8s.io/v1beta1"
FLUX_KUSTOMIZE_API = "kustomize.toolkit.fluxcd.io/v1"
HELM_API = "helm.toolkit.fluxcd.io/v2"
SOURCE_API = "source.toolkit.fluxcd.io/v1"
NOTIFICATION_API = "notification.toolkit.fluxcd.io/v1"
NOTIFICATION_BETA_API = "notification.toolkit.fluxcd.io/v1beta3"
EXTERNAL_SECRETS_API = "external-secrets.io/v1"
CERT_MANAGER_API = "cert-manager.io/v1"
CNPG_API = "postgresql.cnpg.io/v1"
TRAEFIK_API = "traefik.io/v1alpha1"
MONITORING_API = "monitoring.coreos.com/v1"
NETWORKING_API = "networking.k8s.io/v1"
RBAC_API = "rbac.authorization.k8s.io/v1"
BATCH_API = "batch/v1"


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


def kustomization(resources: list[str], **fields: Any) -> Document:
    """A kustomize `kustomization.yaml` (not the Flux custom resource)."""
    document: Document = {"apiVersion": KUSTOMIZE_API, "kind": "Kustomization"}
    document.update({key: value for key, value in fields.items() if value is not None})
    document["resources"] = resources
    return document


def namespace(name: str, labels: dict[str, str] | None = None) -> Document:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata(name, labels=labels)}


def helm_repository(
    name: str,
    url: str,
    *,
    namespace: str | None = None,
    interval: str = "12h",
    labels: dict[str, str] | None = None,
) -> Document:
    spec: dict[str, Any] = {"interval": interval, "url": url}
    if url.startswith("oci://"):
        spec["type"] = "oci"
    return {
        "apiVersion": SOURCE_API,
        "kind": "HelmRepository",
        "metadata": metadata(name, namespace, labels=labels),
        "spec": spec,
    }


def helm_release(
    name: str,
    namespace: str | None,
    *,
    chart: str,
    version: str,
    repository: str,
    repository_namespace: str | None = None,
    interval: str = "30m",
    chart_interval: str = "12h",
    timeout: str = "10m",
    labels: dict[str, str] | None = None,
    **spec_fields: Any,
) -> Document:
    """A HelmRelease of `chart` from the HelmRepository `repository`; the
    remaining keyword arguments (install, upgrade, values, …) follow the
    chart in the spec, in the order given."""
    source: dict[str, Any] = {"kind": "HelmRepository", "name": repository}
    if repository_namespace:
        source["namespace"] = repository_namespace
    spec: dict[str, Any] = {
        "interval": interval,
        "timeout": timeout,
        "chart": {
            "spec": {
                "chart": chart,
                "version": version,
                "sourceRef": source,
                "interval": chart_interval,
            }
        },
    }
    spec.update({key: value for key, value in spec_fields.items() if value is not None})
    return {
        "apiVersion": HELM_API,
        "kind": "HelmRelease",
        "metadata": metadata(name, namespace, labels=labels),
        "spec": spec,
    }


def helm_release_patch(name: str, values: dict[str, Any], namespace: str | None = None) -> Document:
    """A strategic-merge patch that overrides a HelmRelease's values."""
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {
        "apiVersion": HELM_API,
        "kind": "HelmRelease",
        "metadata": meta,
        "spec": {"values": values},
    }


def external_secret(
    name: str,
    namespace: str | None = None,
    *,
    extract: str | None = None,
    data: dict[str, tuple[str, str]] | None = None,
    refresh: str = "1h",
    deletion_policy: str | None = None,
    template: dict[str, Any] | None = None,
    labels: dict[str, str] | None = None,
    sort_data: bool = True,
) -> Document:
    """An ExternalSecret that materialises the Secret `name` from Vault
    through the platform's ClusterSecretStore: every key at the KV path
    `extract`, and/or `data` mapping a Secret key to (KV path, property)."""
    target: dict[str, Any] = {"name": name, "creationPolicy": "Owner"}
    if deletion_policy:
        target["deletionPolicy"] = deletion_policy
    if template:
        target["template"] = template
    spec: dict[str, Any] = {
        "refreshInterval": refresh,
        "secretStoreRef": {"kind": "ClusterSecretStore", "name": names.SECRET_STORE},
        "target": target,
    }
    if data:
        items = sorted(data.items()) if sort_data else list(data.items())
        spec["data"] = [
            {"secretKey": key, "remoteRef": {"key": path, "property": prop}}
            for key, (path, prop) in items
        ]
    if extract:
        spec["dataFrom"] = [{"extract": {"key": extract}}]
    return {
        "apiVersion": EXTERNAL_SECRETS_API,
        "kind": "ExternalSecret",
        "metadata": metadata(name, namespace, labels=labels),
        "spec": spec,
    }
