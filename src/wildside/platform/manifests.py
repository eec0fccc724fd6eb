"""Builders for the Kubernetes objects components render most often."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wildside.contract import kube, labels, names

Document = dict[str, Any]


@dataclass(frozen=True)
class HelmChart:
    """A chart a component installs; the `sources` component renders its repository."""

    repository: str  # HelmRepository name in flux-system
    url: str  # https:// or oci://
    chart: str
    version: str  # pinned, never a range

    @property
    def is_oci(self) -> bool:
        return self.url.startswith("oci://")


MANAGED_BY = {labels.MANAGED_BY: "wildside"}


def namespace(name: str, *, level: str = "restricted", reason: str | None = None) -> Document:
    """A namespace with its Pod Security level: `restricted` unless `reason`
    says why its pods cannot be (kept on the namespace as an annotation)."""
    if level != "restricted" and not reason:
        raise ValueError(f"namespace {name}: Pod Security {level!r} needs a written reason")
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": kube.metadata(
            name,
            labels={**MANAGED_BY, **labels.pod_security(level)},
            annotations={labels.POD_SECURITY_REASON: reason} if reason else None,
        ),
    }


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
    return kube.helm_release(
        name,
        namespace_name,
        chart=chart.chart,
        version=chart.version,
        repository=chart.repository,
        repository_namespace=names.FLUX_NAMESPACE,
        timeout=timeout,
        labels=MANAGED_BY,
        install={"crds": "CreateReplace", "remediation": {"retries": 3}},
        upgrade={
            "crds": "CreateReplace",
            "cleanupOnFail": True,
            "remediation": {"retries": 3, "remediateLastFailure": True},
        },
        driftDetection={"mode": "enabled"},
        values=values,
    )


def helm_repository(chart: HelmChart) -> Document:
    return kube.helm_repository(
        chart.repository, chart.url, namespace=names.FLUX_NAMESPACE, labels=MANAGED_BY
    )


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
    template: dict[str, Any] = {}
    if secret_type:
        template["type"] = secret_type
    if template_data:
        template["data"] = template_data
    if template:
        template["engineVersion"] = "v2"
    return kube.external_secret(
        name,
        namespace_name,
        data=data,
        deletion_policy="Retain",
        template=template or None,
        labels=MANAGED_BY,
    )


def resources(cpu: str, memory: str, memory_limit: str | None = None) -> dict[str, Any]:
    """Requests for scheduling and a memory limit; no CPU limit (throttling hurts more)."""
    return {
        "requests": {"cpu": cpu, "memory": memory},
        "limits": {"memory": memory_limit or memory},
    }
