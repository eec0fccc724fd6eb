"""What Prometheus scrapes besides the stack's own targets: PodMonitors for
the platform's components and the application, and a scrape job for the Vault
appliance (outside the cluster)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wildside.contract import kube, names
from wildside.platform.monitoring import rules
from wildside.platform.monitoring.settings import MonitoringSettings

VAULT_CA_CONFIGMAP = "vault-ca"
VAULT_CA_KEY = "ca.crt"


@dataclass(frozen=True)
class Target:
    name: str
    namespaces: tuple[str, ...] | None  # None: every namespace
    selector: dict[str, Any]
    port: str
    path: str = "/metrics"


def targets(settings: MonitoringSettings) -> list[Target]:
    return [
        Target(
            "flux-system",
            (names.FLUX_NAMESPACE,),
            {
                "matchExpressions": [
                    {
                        "key": "app",
                        "operator": "In",
                        "values": [
                            "helm-controller",
                            "kustomize-controller",
                            "notification-controller",
                            "source-controller",
                        ],
                    }
                ]
            },
            "http-prom",
        ),
        Target(
            "traefik",
            (names.INGRESS_NAMESPACE,),
            {"matchLabels": {"app.kubernetes.io/name": "traefik"}},
            "metrics",
        ),
        Target(
            "cert-manager",
            None,
            {
                "matchLabels": {
                    "app.kubernetes.io/name": "cert-manager",
                    "app.kubernetes.io/component": "controller",
                }
            },
            "http-metrics",
        ),
        Target(
            "external-secrets",
            (names.ESO_NAMESPACE,),
            {"matchLabels": {"app.kubernetes.io/name": "external-secrets"}},
            "metrics",
        ),
        Target(
            # Job name `monitoring/cloudnative-pg` is what rules.CNPG_JOB expects.
            "cloudnative-pg",
            None,
            {"matchExpressions": [{"key": "cnpg.io/cluster", "operator": "Exists"}]},
            "metrics",
        ),
        Target(
            "valkey",
            None,
            {"matchLabels": {"app.kubernetes.io/name": "valkey"}},
            "metrics",
        ),
        Target(
            settings.app,
            None,
            {"matchLabels": {"app.kubernetes.io/name": settings.app}},
            settings.app_metrics_port,
        ),
    ]


def pod_monitor(settings: MonitoringSettings, target: Target) -> dict[str, Any]:
    namespace_selector: dict[str, Any] = (
        {"any": True} if target.namespaces is None else {"matchNames": list(target.namespaces)}
    )
    return {
        "apiVersion": kube.MONITORING_API,
        "kind": "PodMonitor",
        "metadata": {
            "name": target.name,
            "namespace": settings.namespace,
            "labels": {"app.kubernetes.io/part-of": "wildside-monitoring"},
        },
        "spec": {
            "namespaceSelector": namespace_selector,
            "selector": target.selector,
            "podMetricsEndpoints": [
                {"port": target.port, "path": target.path, "honorLabels": False}
            ],
        },
    }


def pod_monitors(settings: MonitoringSettings) -> list[dict[str, Any]]:
    return [pod_monitor(settings, target) for target in targets(settings)]


def vault_scrape_configs(settings: MonitoringSettings) -> list[dict[str, Any]]:
    """Vault's telemetry needs `unauthenticated_metrics_access = true` in the
    appliance's listener telemetry block (docs/monitoring.md): no token is
    stored anywhere for scraping."""
    target = settings.vault_target
    if target is None:
        return []
    job: dict[str, Any] = {
        "job_name": rules.VAULT_JOB,
        "scheme": "https",
        "metrics_path": "/v1/sys/metrics",
        "params": {"format": ["prometheus"]},
        "scrape_interval": "30s",
        "static_configs": [{"targets": [target]}],
    }
    if settings.vault_ca_certificate:
        # Mounted by prometheusSpec.configMaps at /etc/prometheus/configmaps/<name>/.
        job["tls_config"] = {
            "ca_file": f"/etc/prometheus/configmaps/{VAULT_CA_CONFIGMAP}/{VAULT_CA_KEY}"
        }
    return [job]


def vault_ca_configmap(settings: MonitoringSettings) -> dict[str, Any] | None:
    if not (settings.vault_target and settings.vault_ca_certificate):
        return None
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": VAULT_CA_CONFIGMAP, "namespace": settings.namespace},
        "data": {VAULT_CA_KEY: settings.vault_ca_certificate},
    }
