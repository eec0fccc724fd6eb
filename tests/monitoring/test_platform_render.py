"""`wildside platform render` renders the monitoring component for a cluster
that enables it; what Flux would apply (kustomize + substitution) builds and
validates, and Grafana's `${datasource}` survives Flux substitution."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from wildside.platform.monitoring import release

from support import schemas
from support.platform_tree import EXAMPLES, flux_layers, render_into


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("monitoring-platform")
    config_dir = root / "clusters-config"
    shutil.copytree(EXAMPLES, config_dir)
    dev = config_dir / "dev.yaml"
    document = yaml.safe_load(dev.read_text())
    document["components"]["monitoring"] = {
        "max_previews": 15,
        "receiver": {"kind": "slack", "slack_channel": "#dev-alerts"},
    }
    dev.write_text(yaml.safe_dump(document))
    staging = config_dir / "staging.yaml"
    without = yaml.safe_load(staging.read_text())
    without["components"].pop("monitoring", None)
    staging.write_text(yaml.safe_dump(without))
    output = root / "tree"
    completed = render_into(output, config_dir)
    assert completed.returncode == 0, completed.stderr
    return output


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
    (source,) = helm["spec"]["valuesFrom"]
    (values_map,) = [
        o for o in mine if o["kind"] == "ConfigMap" and o["metadata"]["name"] == source["name"]
    ]
    values = yaml.safe_load(values_map["data"][source["valuesKey"]])
    assert values["grafana"]["ingress"]["hosts"] == ["grafana.previews.dev.example.com"]
    assert values["prometheus"]["prometheusSpec"]["externalLabels"] == {"cluster": "dev"}
    assert values["prometheus"]["prometheusSpec"]["retention"] == "7d"


def test_the_shared_unit_is_cluster_independent(tree: Path) -> None:
    unit = tree / "platform" / "monitoring" / "stack"
    text = "".join(p.read_text() for p in sorted(unit.glob("*.yaml")))
    assert "kind: HelmRelease" in text
    assert "dev" not in text.replace("devices", "")


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
    """staging has monitoring removed from its config in the fixture."""
    objects = [obj for layer in flux_layers(tree, "staging") for obj in layer.objects]
    assert not [o for o in objects if o["kind"] in {"PrometheusRule", "PodMonitor"}]
