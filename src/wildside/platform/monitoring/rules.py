"""Alerting and recording rules as data. `rule_groups(settings)` is the
`spec.groups` of the PrometheusRule objects and the body of a plain Prometheus
rule file, so promtool checks and unit-tests exactly what is deployed.

Every alert carries `severity` (critical pages, warning tickets) and `scope`:
`platform` alerts describe the cluster; `preview` alerts one preview. The
Alertmanager configuration inhibits preview alerts while a critical platform
alert fires, because a broken platform makes every preview look broken."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wildside.contract import kube
from wildside.platform.monitoring import state_metrics as sm
from wildside.platform.monitoring.settings import MonitoringSettings

VAULT_JOB = "vault"
CNPG_JOB = "monitoring/cloudnative-pg"
VALKEY_JOB = "monitoring/valkey"

# Recording rules (dashboards use them too).
PREVIEWS_COUNT = "wildside:previews:count"
PREVIEW_AGE = "wildside:preview_age_seconds"
PREVIEW_COMMIT_TO_READY = "wildside:preview_commit_to_ready_seconds"
NODE_POOL_REQUESTS = "wildside:node_pool_requests:ratio"


@dataclass(frozen=True)
class Alert:
    name: str
    expr: str
    duration: str
    severity: str
    scope: str
    summary: str
    description: str

    def rule(self, runbook_base: str) -> dict[str, Any]:
        anchor = self.name.lower()
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": self.duration,
            "labels": {"severity": self.severity, "scope": self.scope},
            "annotations": {
                "summary": self.summary,
                "description": self.description,
                "runbook_url": f"{runbook_base}#{anchor}",
            },
        }


def _flux_alerts(s: MonitoringSettings) -> list[Alert]:
    minutes = s.thresholds.flux_not_ready_minutes
    not_ready = 'ready!="True", suspended!="true"'
    return [
        Alert(
            "FluxKustomizationNotReady",
            "max by (exported_namespace, name) "
            f'({sm.FLUX_INFO}{{customresource_kind="Kustomization", {not_ready}}})'
            f" unless on (exported_namespace, name) {sm.PREVIEW_INFO}",
            f"{minutes}m",
            "critical",
            "platform",
            "Flux Kustomization {{ $labels.exported_namespace }}/{{ $labels.name }} is not ready",
            f"The platform Kustomization has not been Ready for {minutes} minutes: "
            "the manifests of its layer are not applied and later layers wait for it.",
        ),
        Alert(
            "FluxHelmReleaseNotReady",
            "max by (exported_namespace, name) (gotk_resource_info{"
            f'customresource_kind="HelmRelease", {not_ready}}})',
            f"{minutes}m",
            "critical",
            "platform",
            "HelmRelease {{ $labels.exported_namespace }}/{{ $labels.name }} is not ready",
            f"The HelmRelease has not been Ready for {minutes} minutes: install, upgrade "
            "or its tests failed, or the chart cannot be fetched.",
        ),
        Alert(
            "FluxSourceNotReady",
            "max by (exported_namespace, name, customresource_kind) (gotk_resource_info{"
            f'customresource_kind=~"GitRepository|HelmRepository|OCIRepository", {not_ready}}})',
            f"{minutes}m",
            "warning",
            "platform",
            "Flux source {{ $labels.customresource_kind }} {{ $labels.exported_namespace }}/"
            "{{ $labels.name }} cannot be fetched",
            "Flux cannot fetch this source, so changes committed to it are not applied.",
        ),
    ]


def _certificate_alerts(s: MonitoringSettings) -> list[Alert]:
    days = s.thresholds.certificate_expiry_days
    return [
        Alert(
            "CertificateExpiringSoon",
            f"(certmanager_certificate_expiration_timestamp_seconds - time()) < {days} * 86400",
            "1h",
            "warning",
            "platform",
            "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires within "
            f"{days} days",
            "cert-manager renews 30 days before expiry by default; a certificate this close "
            "to expiry means renewal keeps failing. Expires in {{ $value | humanizeDuration }}.",
        ),
        Alert(
            "CertificateNotReady",
            'max by (namespace, name) (certmanager_certificate_ready_status{condition="False"}) '
            "== 1",
            "30m",
            "warning",
            "platform",
            "Certificate {{ $labels.namespace }}/{{ $labels.name }} is not ready",
            "cert-manager could not issue or renew this certificate for 30 minutes.",
        ),
    ]


def _vault_alerts() -> list[Alert]:
    return [
        Alert(
            "VaultSealed",
            f'vault_core_unsealed{{job="{VAULT_JOB}"}} == 0',
            "1m",
            "critical",
            "platform",
            "Vault {{ $labels.instance }} is sealed",
            "A sealed Vault serves no secret: External Secrets cannot refresh and new "
            "previews cannot get credentials. Unseal it with the bootstrap helper.",
        ),
        Alert(
            "VaultUnreachable",
            f'up{{job="{VAULT_JOB}"}} == 0 or absent(up{{job="{VAULT_JOB}"}})',
            "5m",
            "critical",
            "platform",
            "Vault telemetry cannot be scraped",
            "Prometheus has not reached Vault's /v1/sys/metrics for 5 minutes: the appliance "
            "is down, sealed, unreachable from the cluster, or its certificate changed.",
        ),
    ]


def _database_alerts(s: MonitoringSettings) -> list[Alert]:
    lag = s.thresholds.replication_lag_seconds
    return [
        Alert(
            "CNPGInstanceDown",
            f'cnpg_collector_up == 0 or up{{job="{CNPG_JOB}"}} == 0',
            "5m",
            "critical",
            "platform",
            "PostgreSQL instance {{ $labels.namespace }}/{{ $labels.pod }} is down",
            "A CloudNativePG instance does not answer its exporter: the shared preview "
            "database cluster has lost an instance (new previews cannot clone databases "
            "if it is the primary).",
        ),
        Alert(
            "CNPGReplicationLag",
            f"max by (namespace, pod) (cnpg_pg_replication_lag) > {lag}",
            "5m",
            "warning",
            "platform",
            "Replica {{ $labels.namespace }}/{{ $labels.pod }} lags {{ $value }}s",
            f"A standby is more than {lag} seconds behind the primary; a failover now would "
            "lose recent writes.",
        ),
        Alert(
            "RedisDown",
            f'redis_up == 0 or up{{job="{VALKEY_JOB}"}} == 0',
            "5m",
            "critical",
            "platform",
            "Redis/Valkey {{ $labels.namespace }}/{{ $labels.pod }} is down",
            "The cache instance does not answer its exporter.",
        ),
    ]


def _node_alerts(s: MonitoringSettings) -> list[Alert]:
    ratio = s.thresholds.node_pool_saturation
    pool = s.node_pool_metric_label
    return [
        Alert(
            "NodePoolSaturated",
            f"{NODE_POOL_REQUESTS} > {ratio}",
            "30m",
            "warning",
            "platform",
            "Node pool {{ $labels." + pool + " }} has {{ $value | humanizePercentage }} of "
            "its {{ $labels.resource }} requested",
            f"Pods request more than {ratio:.0%} of the pool's allocatable capacity for 30 "
            "minutes: the autoscaler is at its maximum or cannot add nodes, and new pods "
            "(previews first) stay Pending.",
        ),
    ]


def _preview_alerts(s: MonitoringSettings) -> list[Alert]:
    t = s.thresholds
    near = max(1, int(s.max_previews * t.previews_near_cap_ratio))
    return [
        Alert(
            "PreviewNotReady",
            f'{sm.PREVIEW_READY}{{pr!=""}} == 0',
            f"{t.preview_stuck_minutes}m",
            "warning",
            "preview",
            "Preview of PR #{{ $labels.pr }} is not ready",
            f"The preview's Flux Kustomization has not been Ready for {t.preview_stuck_minutes} "
            "minutes: its image, chart values, database or secrets are failing.",
        ),
        Alert(
            "PreviewsNearCap",
            f"{PREVIEWS_COUNT} >= {near}",
            "10m",
            "warning",
            "capacity",
            "{{ $value }} previews run; the cap is " + str(s.max_previews),
            "The cluster is close to the number of previews it is sized for. Close stale "
            "pull requests, shorten the preview TTL, or grow the preview node pool.",
        ),
        Alert(
            "PreviewsAtCap",
            f"{PREVIEWS_COUNT} >= {s.max_previews}",
            "5m",
            "critical",
            "capacity",
            "{{ $value }} previews run; the cap is " + str(s.max_previews),
            "The cluster runs as many previews as it is sized for: new previews will not schedule.",
        ),
        Alert(
            "PreviewExpiredNotRemoved",
            f"(time() - {sm.PREVIEW_EXPIRES} > {t.preview_expired_grace_hours * 3600}) "
            f'and on (exported_namespace, name) {sm.PREVIEW_INFO}{{pinned="false"}}',
            "30m",
            "warning",
            "preview",
            "Preview of PR #{{ $labels.pr }} outlived its TTL",
            "The preview expired more than "
            f"{t.preview_expired_grace_hours} hours ago and is still deployed: the scheduled "
            "garbage collector is not running or refuses to delete.",
        ),
    ]


def _recording_rules(s: MonitoringSettings) -> list[dict[str, Any]]:
    pool = s.node_pool_metric_label

    def per_pool(metric: str) -> str:
        return (
            f"sum by ({pool}, resource) ({metric} * on (node) group_left ({pool}) kube_node_labels)"
        )

    requests = (
        'kube_pod_container_resource_requests{resource=~"cpu|memory"}'
        " * on (namespace, pod) group_left () max by (namespace, pod) "
        '(kube_pod_status_phase{phase=~"Pending|Running"} == 1)'
    )
    allocatable = 'kube_node_status_allocatable{resource=~"cpu|memory"}'
    return [
        {"record": PREVIEWS_COUNT, "expr": f"count({sm.PREVIEW_INFO}) or vector(0)"},
        {"record": PREVIEW_AGE, "expr": f"time() - {sm.PREVIEW_CREATED}"},
        {
            "record": PREVIEW_COMMIT_TO_READY,
            "expr": (
                f'({sm.PREVIEW_READY_SINCE}{{pr!=""}} - on (exported_namespace, name, pr) '
                f"{sm.PREVIEW_UPDATED}) >= 0"
                f' and on (exported_namespace, name) ({sm.PREVIEW_READY}{{pr!=""}} == 1)'
            ),
        },
        {
            "record": NODE_POOL_REQUESTS,
            "expr": f"{per_pool(f'({requests})')} / {per_pool(allocatable)}",
        },
    ]


def alerts(settings: MonitoringSettings) -> dict[str, list[Alert]]:
    groups = {
        "wildside.flux": _flux_alerts(settings),
        "wildside.certificates": _certificate_alerts(settings),
        "wildside.data": _database_alerts(settings),
        "wildside.nodes": _node_alerts(settings),
        "wildside.previews": _preview_alerts(settings),
    }
    if settings.vault_address is not None:
        groups["wildside.vault"] = _vault_alerts()
    return groups


def rule_groups(settings: MonitoringSettings) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = [
        {"name": "wildside.recording", "rules": _recording_rules(settings)}
    ]
    for name, members in alerts(settings).items():
        groups.append(
            {"name": name, "rules": [alert.rule(settings.runbook_base_url) for alert in members]}
        )
    return groups


def prometheus_rules(settings: MonitoringSettings) -> list[dict[str, Any]]:
    """One PrometheusRule object per group, so a broken group stays alone."""
    return [
        {
            "apiVersion": kube.MONITORING_API,
            "kind": "PrometheusRule",
            "metadata": {
                "name": group["name"].replace(".", "-"),
                "namespace": settings.namespace,
                "labels": {"app.kubernetes.io/part-of": "wildside-monitoring"},
            },
            "spec": {"groups": [group]},
        }
        for group in rule_groups(settings)
    ]
