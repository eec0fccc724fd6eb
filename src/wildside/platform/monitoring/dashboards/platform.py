"""Platform overview: nodes and pods, Flux, certificates, Vault, databases
and the cache — one screen that says whether the cluster can serve previews."""

from __future__ import annotations

from typing import Any

from wildside.platform.monitoring import rules
from wildside.platform.monitoring import state_metrics as sm
from wildside.platform.monitoring.dashboards.grafana import Dashboard, Query
from wildside.platform.monitoring.settings import MonitoringSettings

RED_GREEN = [(None, "red"), (1, "green")]
GREEN_RED = [(None, "green"), (1, "red")]
UP_DOWN = [
    {
        "type": "value",
        "options": {"0": {"text": "DOWN", "color": "red"}, "1": {"text": "UP", "color": "green"}},
    }
]


def _cluster(d: Dashboard, s: MonitoringSettings) -> None:
    pool = s.node_pool_metric_label
    d.row("Cluster")
    d.panel(
        "stat",
        "Nodes ready",
        "Nodes whose Ready condition is true, out of all nodes.",
        [
            Query('sum(kube_node_status_condition{condition="Ready", status="true"})', "ready"),
            Query("count(kube_node_info)", "total"),
        ],
        width=4,
    )
    d.panel(
        "stat",
        "Pods running",
        "Pods in phase Running across the cluster.",
        [Query('sum(kube_pod_status_phase{phase="Running"})')],
        width=4,
    )
    d.panel(
        "stat",
        "Pods pending or failed",
        "Pods that cannot start (no capacity, image pull errors) or failed.",
        [Query('sum(kube_pod_status_phase{phase=~"Pending|Failed"}) or vector(0)')],
        width=4,
        thresholds=[(None, "green"), (1, "orange"), (5, "red")],
    )
    d.panel(
        "bargauge",
        "Node pool requests",
        "Share of each node pool's allocatable CPU and memory that pods request. "
        "Near 100% new pods stay Pending.",
        [Query(rules.NODE_POOL_REQUESTS, f"{{{{{pool}}}}} {{{{resource}}}}", instant=True)],
        width=12,
        unit="percentunit",
        thresholds=[(None, "green"), (0.75, "orange"), (s.thresholds.node_pool_saturation, "red")],
        options={"orientation": "horizontal", "displayMode": "gradient"},
    )
    d.panel(
        "timeseries",
        "Node CPU busy",
        "CPU time not idle per node (node-exporter).",
        [
            Query(
                '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}'
                "[$__rate_interval]))",
                "{{instance}}",
            )
        ],
        width=12,
        height=8,
        unit="percentunit",
    )
    d.panel(
        "timeseries",
        "Node memory used",
        "Memory in use per node (node-exporter).",
        [
            Query(
                "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes",
                "{{instance}}",
            )
        ],
        width=12,
        height=8,
        unit="percentunit",
    )


def _flux(d: Dashboard) -> None:
    d.row("Flux")
    for kind, width in (("Kustomization", 4), ("HelmRelease", 4)):
        d.panel(
            "stat",
            f"{kind}s not ready",
            f"Flux {kind}s whose Ready condition is not True (suspended ones excluded).",
            [
                Query(
                    f'count({sm.FLUX_INFO}{{customresource_kind="{kind}", ready!="True", '
                    'suspended!="true"}) or vector(0)'
                )
            ],
            width=width,
            thresholds=GREEN_RED,
        )
    d.panel(
        "stat",
        "Sources not ready",
        "Git, Helm and OCI sources Flux cannot fetch.",
        [
            Query(
                f'count({sm.FLUX_INFO}{{customresource_kind=~"GitRepository|HelmRepository|'
                'OCIRepository", ready!="True"}) or vector(0)'
            )
        ],
        width=4,
        thresholds=GREEN_RED,
    )
    d.panel(
        "table",
        "Flux resources not ready",
        "Every Flux object that is not Ready, with the revision it last applied.",
        [
            Query(
                f'{sm.FLUX_INFO}{{ready!="True"}}',
                instant=True,
                table=True,
            )
        ],
        width=12,
        transformations=[
            {
                "id": "organize",
                "options": {
                    "includeByName": {
                        "customresource_kind": True,
                        "exported_namespace": True,
                        "name": True,
                        "ready": True,
                        "suspended": True,
                        "revision": True,
                    }
                },
            }
        ],
    )
    d.panel(
        "timeseries",
        "Reconcile duration p95",
        "95th percentile of how long a Flux reconciliation takes, per kind.",
        [
            Query(
                "histogram_quantile(0.95, sum by (le, kind) "
                "(rate(gotk_reconcile_duration_seconds_bucket[$__rate_interval])))",
                "{{kind}}",
            )
        ],
        width=12,
        height=8,
        unit="s",
    )
    d.panel(
        "timeseries",
        "Reconciliations per minute",
        "How often each Flux kind reconciles.",
        [
            Query(
                "sum by (kind) (rate(gotk_reconcile_duration_seconds_count"
                "[$__rate_interval])) * 60",
                "{{kind}}",
            )
        ],
        width=12,
        height=8,
    )


def _certificates_and_vault(d: Dashboard, s: MonitoringSettings) -> None:
    d.row("Certificates and Vault")
    d.panel(
        "table",
        "Certificate expiry (days)",
        "Days until each cert-manager certificate expires; renewal normally happens at 30.",
        [
            Query(
                "(certmanager_certificate_expiration_timestamp_seconds - time()) / 86400",
                instant=True,
                table=True,
            )
        ],
        width=12,
        unit="d",
        thresholds=[
            (None, "red"),
            (s.thresholds.certificate_expiry_days, "orange"),
            (30, "green"),
        ],
    )
    d.panel(
        "stat",
        "Certificates not ready",
        "Certificates cert-manager could not issue or renew.",
        [Query('sum(certmanager_certificate_ready_status{condition="False"}) or vector(0)')],
        width=4,
        thresholds=GREEN_RED,
    )
    d.panel(
        "stat",
        "Vault unsealed",
        "1 when Vault reports itself unsealed (vault_core_unsealed).",
        [Query(f'min(vault_core_unsealed{{job="{rules.VAULT_JOB}"}})')],
        width=4,
        thresholds=RED_GREEN,
        mappings=[
            {
                "type": "value",
                "options": {
                    "0": {"text": "SEALED", "color": "red"},
                    "1": {"text": "UNSEALED", "color": "green"},
                },
            }
        ],
    )
    d.panel(
        "stat",
        "Vault reachable",
        "Whether Prometheus can scrape Vault's telemetry endpoint.",
        [Query(f'min(up{{job="{rules.VAULT_JOB}"}})')],
        width=4,
        thresholds=RED_GREEN,
        mappings=UP_DOWN,
    )


def _data(d: Dashboard) -> None:
    d.row("Databases and cache")
    d.panel(
        "stat",
        "PostgreSQL instances up",
        "CloudNativePG instances whose exporter reaches PostgreSQL.",
        [Query("sum(cnpg_collector_up)", "up"), Query("count(cnpg_collector_up)", "total")],
        width=4,
    )
    d.panel(
        "timeseries",
        "Replication lag",
        "Seconds each standby is behind its primary.",
        [Query("max by (namespace, pod) (cnpg_pg_replication_lag)", "{{pod}}")],
        width=8,
        height=8,
        unit="s",
    )
    d.panel(
        "timeseries",
        "Database size",
        "Size of each database on the shared cluster (preview databases included).",
        [Query("max by (datname) (cnpg_pg_database_size_bytes)", "{{datname}}")],
        width=6,
        height=8,
        unit="bytes",
    )
    d.panel(
        "stat",
        "Redis/Valkey up",
        "Cache instances whose exporter reaches the server (redis_up).",
        [Query("sum(redis_up)", "up"), Query("count(redis_up)", "total")],
        width=3,
    )
    d.panel(
        "stat",
        "Cache memory",
        "Memory used by the cache.",
        [Query("sum(redis_memory_used_bytes)")],
        width=3,
        unit="bytes",
    )


def build(settings: MonitoringSettings) -> dict[str, Any]:
    d = Dashboard(
        uid="wildside-platform",
        title="Wildside / Platform overview",
        description="Whether the cluster can serve previews: nodes, Flux, certificates, "
        "Vault, PostgreSQL and the cache.",
        tags=["wildside", "platform"],
    )
    _cluster(d, settings)
    _flux(d)
    _certificates_and_vault(d, settings)
    _data(d)
    return d.to_json()
