"""kube-prometheus-stack as a Flux HelmRelease, and the ExternalSecrets that
bring its credentials from Vault."""

from __future__ import annotations

from typing import Any

from wildside.contract import kube, names
from wildside.platform import manifests
from wildside.platform.monitoring import alertmanager, scrape, state_metrics
from wildside.platform.monitoring.dashboards import FOLDER_ANNOTATION, SIDECAR_LABEL, SIDECAR_VALUE
from wildside.platform.monitoring.settings import MonitoringSettings

CHART = "kube-prometheus-stack"
CHART_VERSION = "79.7.1"  # pinned: upgrades are reviewed changes, never drift
REPOSITORY = "prometheus-community"
REPOSITORY_URL = "https://prometheus-community.github.io/helm-charts"
RELEASE = "kube-prometheus-stack"
GRAFANA_ADMIN_SECRET = "grafana-admin"  # noqa: S105 - a Secret's name
# node-exporter needs the host (privileged); it gets a namespace of its own.
NODE_EXPORTER_NAMESPACE = "monitoring-node-exporter"


def namespaces(settings: MonitoringSettings) -> list[dict[str, Any]]:
    part_of = {"app.kubernetes.io/part-of": "wildside-monitoring"}
    stack = manifests.namespace(
        settings.namespace,
        level="baseline",
        reason="kube-prometheus-stack's Grafana, its sidecars and the admission-webhook Job "
        "are not all proven to pass `restricted`; audit and warn report any pod that does not",
    )
    node_exporter = manifests.namespace(
        NODE_EXPORTER_NAMESPACE,
        level="privileged",
        reason="node-exporter reads the node itself: hostNetwork, hostPID and hostPath "
        "volumes, which `baseline` forbids; nothing else runs in this namespace",
    )
    for namespace in (stack, node_exporter):
        namespace["metadata"]["labels"].update(part_of)
    return [stack, node_exporter]


def shared_values() -> dict[str, Any]:
    """The values every cluster uses, inline in the shared HelmRelease."""
    return {
        "crds": {"enabled": True},
        "defaultRules": {"create": True},
        "prometheus": {
            "prometheusSpec": {
                # Select every PodMonitor/ServiceMonitor/PrometheusRule, not only the chart's own.
                "podMonitorSelectorNilUsesHelmValues": False,
                "serviceMonitorSelectorNilUsesHelmValues": False,
                "ruleSelectorNilUsesHelmValues": False,
                "probeSelectorNilUsesHelmValues": False,
            }
        },
        "alertmanager": {"alertmanagerSpec": {"retention": "120h"}},
        "grafana": {
            "admin": {
                "existingSecret": GRAFANA_ADMIN_SECRET,
                "userKey": "admin-user",
                "passwordKey": "admin-password",
            },
            "defaultDashboardsTimezone": "utc",
            "grafana.ini": {
                "auth.anonymous": {"enabled": False},
                "users": {"allow_sign_up": False},
            },
            "persistence": {"enabled": False},  # dashboards and datasources are code
            "sidecar": {
                "dashboards": {
                    "enabled": True,
                    "label": SIDECAR_LABEL,
                    "labelValue": SIDECAR_VALUE,
                    "folderAnnotation": FOLDER_ANNOTATION,
                    "provider": {"foldersFromFilesStructure": True},
                }
            },
        },
        "prometheus-node-exporter": {"namespaceOverride": NODE_EXPORTER_NAMESPACE},
        "kube-state-metrics": {
            "rbac": {"extraRules": state_metrics.rbac_rules()},
            "customResourceState": {
                "enabled": True,
                "config": state_metrics.custom_resource_state(),
            },
        },
    }


def cluster_values(settings: MonitoringSettings) -> dict[str, Any]:
    """What differs per cluster: a patch of the shared HelmRelease's values."""
    sizing = settings.resolved_sizing
    prometheus_spec: dict[str, Any] = {
        "retention": sizing.retention,
        "retentionSize": sizing.retention_size,
        "resources": sizing.prometheus.as_kubernetes(),
        "externalLabels": {"cluster": settings.cluster},
        "storageSpec": {
            "volumeClaimTemplate": {
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": sizing.storage}},
                }
            }
        },
        "additionalScrapeConfigs": scrape.vault_scrape_configs(settings),
    }
    if scrape.vault_ca_configmap(settings) is not None:
        prometheus_spec["configMaps"] = [scrape.VAULT_CA_CONFIGMAP]
    return {
        "prometheus": {"prometheusSpec": prometheus_spec},
        "alertmanager": {
            "config": alertmanager.config(settings),
            "alertmanagerSpec": {
                "resources": sizing.alertmanager.as_kubernetes(),
                "secrets": (
                    [alertmanager.RECEIVER_SECRET] if receiver_needs_credentials(settings) else []
                ),
            },
        },
        "grafana": {
            "ingress": {
                "enabled": True,
                "ingressClassName": "traefik",
                "hosts": [settings.grafana_host],
                "path": "/",
                # No secret: Traefik picks the certificate by SNI from its TLS store, the
                # preview wildcard or the host's own Certificate (platform.hosts).
                "tls": [{"hosts": [settings.grafana_host]}],
            },
            "grafana.ini": {"server": {"root_url": f"https://{settings.grafana_host}"}},
            "resources": settings.resolved_sizing.grafana.as_kubernetes(),
        },
        "kube-state-metrics": {"metricLabelsAllowlist": [f"nodes=[{settings.node_pool_label}]"]},
    }


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Maps merged key by key, anything else replaced (a JSON merge patch,
    which is what kustomize applies to a HelmRelease's values)."""
    merged = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def values(settings: MonitoringSettings) -> dict[str, Any]:
    """The values the chart receives on that cluster."""
    return merge(shared_values(), cluster_values(settings))


def values_patch(settings: MonitoringSettings) -> dict[str, Any]:
    """The cluster's kustomize patch of the shared HelmRelease."""
    return {
        "apiVersion": kube.HELM_API,
        "kind": "HelmRelease",
        "metadata": {"name": RELEASE, "namespace": settings.namespace},
        "spec": {"values": cluster_values(settings)},
    }


def helm_release(settings: MonitoringSettings) -> dict[str, Any]:
    """Shared by every cluster; each cluster patches its own values in (`values_patch`)."""
    return kube.helm_release(
        RELEASE,
        settings.namespace,
        chart=CHART,
        version=CHART_VERSION,
        repository=REPOSITORY,
        repository_namespace=names.FLUX_NAMESPACE,
        timeout="15m",
        # Grafana and Alertmanager mount Secrets that the configs layer's
        # ExternalSecrets create, and the configs layer waits for this one:
        # the first install must not wait for those pods. Upgrades do wait.
        install={"crds": "CreateReplace", "disableWait": True, "remediation": {"retries": 3}},
        upgrade={"crds": "CreateReplace", "remediation": {"retries": 3}},
        driftDetection={
            "mode": "enabled",
            "ignore": [
                {
                    "paths": ["/metadata/annotations/prometheus-operator-validated"],
                    "target": {"kind": "PrometheusRule"},
                }
            ],
        },
        values=shared_values(),
    )


def _external_secret(
    settings: MonitoringSettings, name: str, vault_path: str, keys: list[str]
) -> dict[str, Any]:
    return kube.external_secret(
        name,
        settings.namespace,
        data={key: (vault_path, key) for key in keys},
        deletion_policy="Retain",
        sort_data=False,
    )


def external_secrets(settings: MonitoringSettings) -> list[dict[str, Any]]:
    receiver = settings.receiver
    receiver_keys = [] if receiver.kind == "none" else [alertmanager.SECRET_KEYS[receiver.kind]]
    if receiver.kind == "email" and not receiver.email_username:
        receiver_keys = []
    secrets = [
        _external_secret(
            settings,
            GRAFANA_ADMIN_SECRET,
            settings.grafana_admin_path,
            ["admin-user", "admin-password"],
        )
    ]
    if receiver_keys:
        secrets.append(
            _external_secret(
                settings, alertmanager.RECEIVER_SECRET, receiver.vault_path, receiver_keys
            )
        )
    return secrets


def receiver_needs_credentials(settings: MonitoringSettings) -> bool:
    """Whether Alertmanager mounts the `alertmanager-receivers` Secret (synced
    from Vault); a cluster without receiver credentials mounts nothing, so no
    placeholder Secret is ever committed."""
    return bool(external_secrets(settings)[1:])
