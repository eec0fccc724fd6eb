"""Previews: how many run, how old they are, how long a commit takes to go
live, and which ones fail."""

from __future__ import annotations

from typing import Any

from wildside.platform.monitoring import rules
from wildside.platform.monitoring import state_metrics as sm
from wildside.platform.monitoring.dashboards.grafana import Dashboard, Query
from wildside.platform.monitoring.settings import MonitoringSettings

DAY = 86400
AGE_BUCKETS = (("< 1 day", None, DAY), ("1-3 days", DAY, 3 * DAY), ("3-7 days", 3 * DAY, 7 * DAY))


def _age_bucket(low: int | None, high: int | None) -> str:
    conditions = []
    if low is not None:
        conditions.append(f">= {low}")
    if high is not None:
        conditions.append(f"< {high}")
    selected = rules.PREVIEW_AGE
    for condition in conditions:
        selected = f"({selected} {condition})"
    return f"count({selected}) or vector(0)"


def build(settings: MonitoringSettings) -> dict[str, Any]:
    cap = settings.max_previews
    near = settings.thresholds.previews_near_cap_ratio
    ready = f'{sm.PREVIEW_READY}{{pr!=""}}'
    d = Dashboard(
        uid="wildside-previews",
        title="Wildside / Previews",
        description="Preview environments: count against the cap, ages, commit-to-ready "
        "time and failing previews. Metrics come from kube-state-metrics reading each "
        "preview's Flux Kustomization (docs/monitoring.md).",
        tags=["wildside", "previews"],
    )
    d.row("Now")
    d.panel(
        "stat",
        "Previews",
        f"Previews deployed on this cluster. The cap is {cap}.",
        [Query(rules.PREVIEWS_COUNT)],
        width=4,
        thresholds=[(None, "green"), (int(cap * near), "orange"), (cap, "red")],
    )
    d.panel(
        "gauge",
        "Share of the cap",
        f"Previews as a share of the cap ({cap}).",
        [Query(f"{rules.PREVIEWS_COUNT} / {cap}")],
        width=4,
        unit="percentunit",
        thresholds=[(None, "green"), (near, "orange"), (1, "red")],
        options={"minVizValue": 0, "maxVizValue": 1},
    )
    d.panel(
        "stat",
        "Ready",
        "Previews whose Flux Kustomization is Ready.",
        [Query(f"count({ready} == 1) or vector(0)")],
        width=4,
        thresholds=[(None, "green")],
    )
    d.panel(
        "stat",
        "Not ready",
        "Previews still deploying or failing.",
        [Query(f"count({ready} == 0) or vector(0)")],
        width=4,
        thresholds=[(None, "green"), (1, "red")],
    )
    d.panel(
        "stat",
        "Median commit to ready",
        "Median time from `preview up` committing a change to the preview being Ready.",
        [Query(f"quantile(0.5, {rules.PREVIEW_COMMIT_TO_READY})")],
        width=4,
        unit="s",
        thresholds=[(None, "green"), (300, "orange"), (600, "red")],
    )
    d.panel(
        "stat",
        "Slowest commit to ready",
        "The slowest current preview from commit to Ready.",
        [Query(f"max({rules.PREVIEW_COMMIT_TO_READY})")],
        width=4,
        unit="s",
        thresholds=[(None, "green"), (300, "orange"), (600, "red")],
    )
    d.row("Ages and speed")
    queries = [Query(_age_bucket(low, high), label) for label, low, high in AGE_BUCKETS]
    queries.append(Query(_age_bucket(7 * DAY, None), ">= 7 days"))
    d.panel(
        "bargauge",
        "Age distribution",
        "How many previews fall in each age bracket (since first created).",
        [Query(q.expr, q.legend, instant=True) for q in queries],
        width=8,
        height=8,
        options={"orientation": "horizontal", "displayMode": "basic"},
    )
    d.panel(
        "bargauge",
        "Age per preview",
        "Each preview's age, oldest first.",
        [Query(f"sort_desc({rules.PREVIEW_AGE})", "PR #{{pr}}", instant=True)],
        width=8,
        height=8,
        unit="s",
        options={"orientation": "horizontal", "displayMode": "gradient"},
    )
    d.panel(
        "bargauge",
        "Commit to ready per preview",
        "Seconds from the last committed change to Ready, per preview.",
        [Query(f"sort_desc({rules.PREVIEW_COMMIT_TO_READY})", "PR #{{pr}}", instant=True)],
        width=8,
        height=8,
        unit="s",
        options={"orientation": "horizontal", "displayMode": "gradient"},
    )
    d.panel(
        "timeseries",
        "Previews over time",
        "Deployed and ready previews, against the cap.",
        [
            Query(rules.PREVIEWS_COUNT, "deployed"),
            Query(f"count({ready} == 1) or vector(0)", "ready"),
            Query(f"vector({cap})", "cap"),
        ],
        width=12,
        height=8,
    )
    d.panel(
        "timeseries",
        "Commit to ready over time",
        "Median and slowest commit-to-ready time of the current previews.",
        [
            Query(f"quantile(0.5, {rules.PREVIEW_COMMIT_TO_READY})", "median"),
            Query(f"max({rules.PREVIEW_COMMIT_TO_READY})", "slowest"),
        ],
        width=12,
        height=8,
        unit="s",
    )
    d.row("Failing previews")
    d.panel(
        "table",
        "Failing previews",
        "Previews whose Flux Kustomization is not Ready, with their commit. Inspect with "
        "`flux get kustomization <name> -n flux-system`.",
        [
            Query(
                f'{sm.PREVIEW_INFO}{{ready!="True"}}',
                instant=True,
                table=True,
            )
        ],
        width=12,
        height=8,
    )
    d.panel(
        "table",
        "Expired and still deployed",
        "Unpinned previews past their expiry time: the garbage collector should remove them.",
        [
            Query(
                f"(time() - {sm.PREVIEW_EXPIRES} > 0) and on (exported_namespace, name) "
                f'{sm.PREVIEW_INFO}{{pinned="false"}}',
                instant=True,
                table=True,
            )
        ],
        width=12,
        height=8,
        unit="s",
    )
    return d.to_json()
