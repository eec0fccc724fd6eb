"""The application seen from Traefik: request rate, errors and latency per
Traefik service (production, staging and every preview)."""

from __future__ import annotations

from typing import Any

from wildside.platform.monitoring.dashboards.grafana import Dashboard, Query
from wildside.platform.monitoring.settings import MonitoringSettings

REQUESTS = 'traefik_service_requests_total{service=~"$service"}'
BUCKETS = 'traefik_service_request_duration_seconds_bucket{service=~"$service"}'
RATE = "[$__rate_interval]"


def _latency(quantile: str) -> Query:
    return Query(
        f"histogram_quantile({quantile}, sum by (le) (rate({BUCKETS}{RATE})))",
        f"p{quantile.removeprefix('0.')}",
    )


def build(settings: MonitoringSettings) -> dict[str, Any]:
    d = Dashboard(
        uid="wildside-application",
        title="Wildside / Application",
        description=f"Requests to {settings.app} through Traefik: rate, errors, latency. "
        "Traefik names a service <namespace>-<service>-<port>@<provider>.",
        tags=["wildside", "application"],
    )
    d.query_variable(
        "service",
        "Traefik service",
        f'label_values(traefik_service_requests_total{{service=~".*{settings.app}.*"}}, service)',
    )
    d.row("Traffic")
    d.panel(
        "stat",
        "Requests per second",
        "All requests to the selected services.",
        [Query(f"sum(rate({REQUESTS}{RATE}))")],
        width=6,
        unit="reqps",
    )
    d.panel(
        "stat",
        "Error ratio (5xx)",
        "Share of responses with a 5xx status.",
        [
            Query(
                f'sum(rate(traefik_service_requests_total{{service=~"$service", code=~"5.."}}'
                f"{RATE})) / sum(rate({REQUESTS}{RATE}))"
            )
        ],
        width=6,
        unit="percentunit",
        thresholds=[(None, "green"), (0.01, "orange"), (0.05, "red")],
    )
    d.panel(
        "stat",
        "Latency p95",
        "95th percentile response time over the selected services.",
        [_latency("0.95")],
        width=6,
        unit="s",
        thresholds=[(None, "green"), (0.5, "orange"), (1.2, "red")],
    )
    d.panel(
        "stat",
        "Open connections",
        "Connections currently open to Traefik entrypoints.",
        [Query("sum(traefik_open_connections)")],
        width=6,
    )
    d.panel(
        "timeseries",
        "Request rate per service",
        "Requests per second to each service.",
        [Query(f"sum by (service) (rate({REQUESTS}{RATE}))", "{{service}}")],
        width=12,
        height=8,
        unit="reqps",
    )
    d.panel(
        "timeseries",
        "Responses by status class",
        "Requests per second by HTTP status code.",
        [Query(f"sum by (code) (rate({REQUESTS}{RATE}))", "{{code}}")],
        width=12,
        height=8,
        unit="reqps",
    )
    d.row("Latency")
    d.panel(
        "timeseries",
        "Latency percentiles",
        "p50, p95 and p99 response time of the selected services.",
        [_latency("0.5"), _latency("0.95"), _latency("0.99")],
        width=12,
        height=8,
        unit="s",
    )
    d.panel(
        "timeseries",
        "p95 latency per service",
        "95th percentile response time of each service.",
        [
            Query(
                f"histogram_quantile(0.95, sum by (le, service) (rate({BUCKETS}{RATE})))",
                "{{service}}",
            )
        ],
        width=12,
        height=8,
        unit="s",
    )
    d.panel(
        "timeseries",
        "Error ratio per service",
        "Share of 5xx responses per service.",
        [
            Query(
                "sum by (service) (rate(traefik_service_requests_total{"
                f'service=~"$service", code=~"5.."}}{RATE})) / '
                f"sum by (service) (rate({REQUESTS}{RATE}))",
                "{{service}}",
            )
        ],
        width=24,
        height=8,
        unit="percentunit",
    )
    return d.to_json()
