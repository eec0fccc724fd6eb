"""The preview metrics chain: the preview engine writes epoch annotations that
kube-state-metrics can parse, and the custom resource state configuration
reads exactly the keys the engine writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import yaml

from wildside.contract import labels
from wildside.core import clock
from wildside.platform.monitoring import state_metrics
from wildside.previews.config import AppsConfig
from wildside.previews.index import FLUX_FILE
from wildside.previews.model import PreviewRequest
from wildside.previews.render import render

NOW = datetime(2026, 11, 26, 3, 17, 53, tzinfo=UTC)


def _flux(files: dict[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(files[FLUX_FILE])
    return document


def _resolve(obj: Any, path: list[str]) -> Any:
    """The subset of kube-state-metrics' path syntax the configuration uses."""
    for part in path:
        if obj is None:
            return None
        if part.startswith("[") and part.endswith("]"):
            key, value = part[1:-1].split("=", 1)
            obj = next((item for item in obj if item.get(key) == value), None)
        else:
            obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def test_epoch_annotations_match_the_lifecycle_labels() -> None:
    rendered = render(AppsConfig(), PreviewRequest(pr=42, sha="abcdef0"), None, {}, NOW)
    meta = _flux(rendered.files)["metadata"]
    for label, annotation in (
        (labels.CREATED_AT, labels.CREATED_AT_EPOCH),
        (labels.UPDATED_AT, labels.UPDATED_AT_EPOCH),
        (labels.EXPIRES_AT, labels.EXPIRES_AT_EPOCH),
    ):
        epoch = int(meta["annotations"][annotation])
        assert datetime.fromtimestamp(epoch, UTC) == clock.from_label(meta["labels"][label])
    assert meta["annotations"][labels.CREATED_AT_EPOCH] == str(int(NOW.timestamp()))


def test_rerender_without_change_is_byte_identical() -> None:
    config, request = AppsConfig(), PreviewRequest(pr=42, sha="abcdef0")
    first = render(config, request, None, {}, NOW)
    again = render(config, request, first.record, first.files, NOW + timedelta(hours=1))
    assert again.files == first.files


def test_update_moves_the_updated_annotation_only() -> None:
    config = AppsConfig()
    first = render(config, PreviewRequest(pr=42, sha="abcdef0"), None, {}, NOW)
    later = NOW + timedelta(hours=1)
    second = render(config, PreviewRequest(pr=42, sha="1234567"), first.record, first.files, later)
    before, after = _flux(first.files)["metadata"], _flux(second.files)["metadata"]
    created, updated = labels.CREATED_AT_EPOCH, labels.UPDATED_AT_EPOCH
    assert after["annotations"][created] == before["annotations"][created]
    assert after["annotations"][updated] == str(int(later.timestamp()))


def _kustomization_entry() -> dict[str, Any]:
    config = state_metrics.custom_resource_state()
    entries: list[dict[str, Any]] = [
        r for r in config["spec"]["resources"] if r["groupVersionKind"]["kind"] == "Kustomization"
    ]
    assert len(entries) == 1
    return entries[0]


def test_state_metrics_read_what_the_engine_writes() -> None:
    """Walk every configured path over a real rendered preview Kustomization
    (plus the status Flux would add): each preview metric finds its value."""
    rendered = render(AppsConfig(), PreviewRequest(pr=42, sha="abcdef0"), None, {}, NOW)
    flux = _flux(rendered.files)
    flux["status"] = {
        "conditions": [
            {"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-26T03:20:00Z"}
        ]
    }
    entry = _kustomization_entry()
    assert entry["metricNamePrefix"] == ""
    metrics = {m["name"]: m for m in entry["metrics"]}
    assert set(metrics) == {
        state_metrics.FLUX_INFO,
        state_metrics.PREVIEW_INFO,
        state_metrics.PREVIEW_CREATED,
        state_metrics.PREVIEW_UPDATED,
        state_metrics.PREVIEW_EXPIRES,
        state_metrics.PREVIEW_READY,
        state_metrics.PREVIEW_READY_SINCE,
    }
    for name, metric in metrics.items():
        each = metric["each"]
        body = each["gauge"] if each["type"] == "Gauge" else each["info"]
        value = _resolve(flux, body.get("path", []))
        assert value is not None, name
        if each["type"] == "Gauge" and name != state_metrics.PREVIEW_READY:
            assert value.isdigit() or value.endswith("Z"), (name, value)
        if name == state_metrics.FLUX_INFO:
            continue  # optional fields (spec.suspend) just leave their label out
        for label, path in metric["labelsFromPath"].items():
            assert _resolve(flux, path) is not None, (name, label)
    info = metrics[state_metrics.PREVIEW_INFO]
    assert _resolve(flux, info["each"]["info"]["path"]) == "42"


def test_preview_only_metrics_skip_platform_kustomizations() -> None:
    platform = {
        "metadata": {"name": "configs", "namespace": "flux-system", "labels": {}},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]},
    }
    for metric in _kustomization_entry()["metrics"]:
        if metric["name"] in (
            state_metrics.PREVIEW_INFO,
            state_metrics.PREVIEW_CREATED,
            state_metrics.PREVIEW_UPDATED,
            state_metrics.PREVIEW_EXPIRES,
        ):
            each = metric["each"]
            body = each["gauge"] if each["type"] == "Gauge" else each["info"]
            assert _resolve(platform, body["path"]) is None, metric["name"]


def test_flux_kinds_have_rbac() -> None:
    (rule,) = state_metrics.rbac_rules()
    assert set(rule["verbs"]) == {"list", "watch"}
    for _group, _version, _kind, plural in state_metrics.FLUX_KINDS:
        assert plural in rule["resources"]
