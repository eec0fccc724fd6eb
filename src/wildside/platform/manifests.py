"""Builders for the Kubernetes objects components render most often."""

from __future__ import annotations

from typing import Any

from wildside.contract import kube, names
from wildside.platform.components.base import HelmChart

Document = dict[str, Any]
ESO_API = "external-secrets.io/v1"
CERT_MANAGER_API = "cert-manager.io/v1"
CNPG_API = "postgresql.cnpg.io/v1"
TRAEFIK_API = "traefik.io/v1alpha1"
NOTIFICATION_API = "notification.toolkit.fluxcd.io/v1"
MANAGED_BY = {"app.kubernetes.io/managed-by": "wildside"}


def namespace(name: str, *, restricted: bool = False) -> Document:
    labels = dict(MANAGED_BY)
    # Pod Security admission: operators that need more than `restricted` keep `baseline`.
    level = "restricted" if restricted else "baseline"
    labels["pod-security.kubernetes.io/enforce"] = level
    labels["pod-security.kubernetes.io/warn"] = "restricted"
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": kube.metadata(name, labels=labels)}


def helm_release(
    name: str,
    namespace_name: str,
    chart: HelmChart,
    values: dict[str, Any],
    *,
    timeout: str = "10m",
) -> Document:
    """A HelmRelease that installs and upgrades the chart's CRDs and retries
    a failed install or upgrade before giving up."""
    return {
        "apiVersion": kube.HELM_API,
        "kind": "HelmRelease",
        "metadata": kube.metadata(name, namespace_name, labels=MANAGED_BY),
        "spec": {
            "interval": "30m",
            "timeout": timeout,
            "chart": {
                "spec": {
                    "chart": chart.chart,
                    "version": chart.version,
                    "sourceRef": {
                        "kind": "HelmRepository",
                        "name": chart.repository,
                        "namespace": names.FLUX_NAMESPACE,
                    },
                    "interval": "12h",
                }
            },
            "install": {"crds": "CreateReplace", "remediation": {"retries": 3}},
            "upgrade": {
                "crds": "CreateReplace",
                "cleanupOnFail": True,
                "remediation": {"retries": 3, "remediateLastFailure": True},
            },
            "driftDetection": {"mode": "enabled"},
            "values": values,
        },
    }


def helm_repository(chart: HelmChart) -> Document:
    spec: dict[str, Any] = {"interval": "12h", "url": chart.url}
    if chart.is_oci:
        spec["type"] = "oci"
    return {
        "apiVersion": kube.SOURCE_API,
        "kind": "HelmRepository",
        "metadata": kube.metadata(chart.repository, names.FLUX_NAMESPACE, labels=MANAGED_BY),
        "spec": spec,
    }


def external_secret(
    name: str,
    namespace_name: str,
    data: dict[str, tuple[str, str]],
    *,
    secret_type: str | None = None,
    template_data: dict[str, str] | None = None,
) -> Document:
    """An ExternalSecret that materialises `name` from Vault through the
    `vault` ClusterSecretStore. `data` maps a Secret key to (KV path, property)."""
    target: dict[str, Any] = {"name": name, "creationPolicy": "Owner", "deletionPolicy": "Retain"}
    template: dict[str, Any] = {}
    if secret_type:
        template["type"] = secret_type
    if template_data:
        template["data"] = template_data
    if template:
        template["engineVersion"] = "v2"
        target["template"] = template
    return {
        "apiVersion": ESO_API,
        "kind": "ExternalSecret",
        "metadata": kube.metadata(name, namespace_name, labels=MANAGED_BY),
        "spec": {
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": names.SECRET_STORE},
            "target": target,
            "data": [
                {"secretKey": key, "remoteRef": {"key": path, "property": prop}}
                for key, (path, prop) in sorted(data.items())
            ],
        },
    }


def resources(cpu: str, memory: str, memory_limit: str | None = None) -> dict[str, Any]:
    """Requests for scheduling and a memory limit; no CPU limit (throttling hurts more)."""
    return {
        "requests": {"cpu": cpu, "memory": memory},
        "limits": {"memory": memory_limit or memory},
    }
