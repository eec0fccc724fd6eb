"""Dashboards: valid JSON in the ConfigMaps the sidecar loads, unique panel
ids, the `${datasource}` variable everywhere, and every PromQL expression
parsed by the real promtool."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from wildside.platform.monitoring import rules, state_metrics
from wildside.platform.monitoring.dashboards import SIDECAR_LABEL, dashboards
from wildside.platform.monitoring.dashboards.grafana import GRID_WIDTH, SCHEMA_VERSION, expressions
from wildside.platform.monitoring.settings import MonitoringSettings

from support.kustomize import by_kind
from support.monitoring_render import applied
from support.prometheus import check_rules, write_yaml

# Concrete values for Grafana's variables, so promtool sees plain PromQL.
GRAFANA_VARIABLES = {
    "$__rate_interval": "5m",
    "$__interval": "1m",
    "$__range": "1h",
    "$service": ".*",
}


def _concrete(expr: str) -> str:
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    assert "$" not in expr.replace("$labels", ""), f"unreplaced variable in {expr}"
    return expr


def _loaded(rendered: Path) -> dict[str, dict[str, Any]]:
    objects = applied(rendered / "configs")  # the layer, with its shared units
    maps = [
        cm for cm in by_kind(objects, "ConfigMap") if cm["metadata"]["labels"].get(SIDECAR_LABEL)
    ]
    assert len(maps) == 3
    return {name: json.loads(text) for cm in maps for name, text in cm["data"].items()}


def test_dashboards_are_valid_and_well_formed(rendered: Path) -> None:
    loaded = _loaded(rendered)
    assert set(loaded) == {
        "wildside-platform.json",
        "wildside-previews.json",
        "wildside-application.json",
    }
    uids = set()
    for name, dashboard in loaded.items():
        assert dashboard["schemaVersion"] == SCHEMA_VERSION, name
        uids.add(dashboard["uid"])
        variables = {v["name"]: v for v in dashboard["templating"]["list"]}
        assert variables["datasource"]["type"] == "datasource"
        assert variables["datasource"]["query"] == "prometheus"
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(ids) == len(set(ids)), f"{name}: duplicate panel ids"
        for panel in dashboard["panels"]:
            position = panel["gridPos"]
            assert position["x"] + position["w"] <= GRID_WIDTH
            if panel["type"] == "row":
                continue
            assert panel["title"] and panel["description"], (name, panel["id"])
            assert panel["datasource"]["uid"] == "${datasource}"
            assert panel["targets"], (name, panel["title"])
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == "${datasource}"
    assert len(uids) == 3


def test_every_query_parses_with_promtool(rendered: Path, tmp_path: Path) -> None:
    records = []
    for name, dashboard in _loaded(rendered).items():
        slug = re.sub(r"[^a-z]", "_", name.removesuffix(".json"))
        for index, expr in enumerate(expressions(dashboard)):
            records.append({"record": f"dashboard:{slug}:q{index}", "expr": _concrete(expr)})
        for variable in dashboard["templating"]["list"]:
            if variable["type"] != "query":
                continue
            inner = re.fullmatch(r"label_values\((.+), (\w+)\)", variable["definition"])
            assert inner, variable["definition"]
            records.append({"record": f"dashboard:{slug}:var", "expr": inner.group(1)})
    assert len(records) > 40
    check_rules(
        write_yaml(tmp_path / "dashboards.yaml", {"groups": [{"name": "d", "rules": records}]})
    )


def test_dashboards_use_the_documented_metrics(settings: MonitoringSettings) -> None:
    text = json.dumps(dashboards(settings))
    for metric in (
        "kube_node_status_condition",
        state_metrics.FLUX_INFO,
        "gotk_reconcile_duration_seconds_bucket",
        "certmanager_certificate_expiration_timestamp_seconds",
        "vault_core_unsealed",
        "cnpg_collector_up",
        "cnpg_pg_replication_lag",
        "redis_up",
        "traefik_service_requests_total",
        "traefik_service_request_duration_seconds_bucket",
        rules.PREVIEWS_COUNT,
        rules.PREVIEW_AGE,
        rules.PREVIEW_COMMIT_TO_READY,
        state_metrics.PREVIEW_INFO,
    ):
        assert metric in text, metric
    assert "gotk_reconcile_condition" not in text  # removed from Flux 2.x
