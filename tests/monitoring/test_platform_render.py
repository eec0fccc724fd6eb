"""`wildside platform render` renders the monitoring component for a cluster
that enables it; what Flux would apply (kustomize + substitution) builds and
validates, and Grafana's `${datasource}` survives Flux substitution."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from wildside.platform.monitoring import release

from support import schemas
from support.platform_tree import flux_layers


def _objects(tree: Path) -> list[dict]:
    return [obj for layer in flux_layers(tree, "dev") for obj in layer.objects]


def test_monitoring_renders_and_validates(tree: Path) -> None:
    objects = _objects(tree)
    mine = [
        obj
        for obj in objects
        if obj["metadata"].get("namespace") == "monitoring"
        or obj["metadata"]["name"] == "monitoring"
    ]
    kinds = {obj["kind"] for obj in mine}
    assert {
        "Namespace",
        "HelmRelease",
        "ExternalSecret",
        "PodMonitor",
        "PrometheusRule",
        "ConfigMap",
    } <= kinds
    schemas.validate_all(mine)
    (helm,) = [o for o in mine if o["kind"] == "HelmRelease"]
    assert helm["spec"]["chart"]["spec"]["version"] == release.CHART_VERSION
    values = helm["spec"]["values"]
    assert values["grafana"]["ingress"]["hosts"] == ["grafana.dev.example.com"]
    assert values["prometheus"]["prometheusSpec"]["externalLabels"] == {"cluster": "dev"}
    assert values["prometheus"]["prometheusSpec"]["retention"] == "7d"


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (*_strings(key), *_strings(item))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


def test_the_shared_unit_is_cluster_independent(tree: Path) -> None:
    unit = tree / "platform" / "monitoring" / "stack"
    text = "".join(p.read_text() for p in sorted(unit.glob("*.yaml")))
    assert "kind: HelmRelease" in text
    words = {
        w for s in _strings(list(yaml.safe_load_all(text))) for w in s.replace(".", " ").split()
    }
    assert not words & {"dev", "staging", "production"}


def test_layers_order_crds_before_custom_resources(tree: Path) -> None:
    layers = flux_layers(tree, "dev")
    names = [layer.name for layer in layers]

    def layer_of(kind: str) -> int:
        return min(
            i
            for i, layer in enumerate(layers)
            for o in layer.objects
            if o["kind"] == kind and o["metadata"].get("namespace") == "monitoring"
        )

    assert layer_of("HelmRelease") < layer_of("PrometheusRule"), names
    assert layer_of("HelmRelease") < layer_of("PodMonitor"), names


def test_dashboards_survive_flux_substitution(tree: Path) -> None:
    maps = [
        o
        for o in _objects(tree)
        if o["kind"] == "ConfigMap"
        and o["metadata"].get("labels", {}).get("grafana_dashboard") == "1"
    ]
    assert len(maps) == 3
    for cm in maps:
        for text in cm["data"].values():
            dashboard = json.loads(text)
            assert dashboard["panels"][1]["datasource"]["uid"] == "${datasource}"
            assert "$${" not in text
    previews = next(cm for cm in maps if "previews" in cm["metadata"]["name"])
    assert "/ 15" in next(iter(previews["data"].values()))  # the cluster's preview cap


def test_clusters_without_monitoring_render_none(tree: Path) -> None:
    """production has monitoring removed from its config in the fixture."""
    objects = [obj for layer in flux_layers(tree, "production") for obj in layer.objects]
    assert not [o for o in objects if o["kind"] in {"PrometheusRule", "PodMonitor"}]
