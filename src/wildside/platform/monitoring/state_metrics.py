"""kube-state-metrics custom resource state configuration: Flux's documented
`gotk_resource_info` for every Flux kind, and the `wildside_preview_*`
metrics read from the labels and annotations the preview engine writes on each
preview's Flux Kustomization.

kube-state-metrics allows one entry per resource kind, so the preview metrics
share the Kustomization entry with `gotk_resource_info`; the entry has an empty
name prefix so every metric carries its full name. A preview metric whose path
is missing on an object (a platform Kustomization has no preview labels) is
simply not emitted for it."""

from __future__ import annotations

from typing import Any

from wildside.contract import labels

# Metric names: dashboards, rules and docs/monitoring.md refer to these.
PREVIEW_INFO = "wildside_preview_info"
PREVIEW_CREATED = "wildside_preview_created_timestamp_seconds"
PREVIEW_UPDATED = "wildside_preview_updated_timestamp_seconds"
PREVIEW_EXPIRES = "wildside_preview_expires_timestamp_seconds"
PREVIEW_READY = "wildside_preview_ready"
PREVIEW_READY_SINCE = "wildside_preview_ready_transition_timestamp_seconds"
FLUX_INFO = "gotk_resource_info"

FLUX_KINDS: tuple[tuple[str, str, str, str], ...] = (
    # (group, version, kind, plural): the stable APIs of Flux 2.6+
    ("kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "kustomizations"),
    ("helm.toolkit.fluxcd.io", "v2", "HelmRelease", "helmreleases"),
    ("source.toolkit.fluxcd.io", "v1", "GitRepository", "gitrepositories"),
    ("source.toolkit.fluxcd.io", "v1", "HelmRepository", "helmrepositories"),
    ("source.toolkit.fluxcd.io", "v1", "HelmChart", "helmcharts"),
    ("source.toolkit.fluxcd.io", "v1", "OCIRepository", "ocirepositories"),
    ("notification.toolkit.fluxcd.io", "v1", "Receiver", "receivers"),
)

_READY = ["status", "conditions", "[type=Ready]", "status"]
_READY_SINCE = ["status", "conditions", "[type=Ready]", "lastTransitionTime"]
_IDENTITY = {"name": ["metadata", "name"], "exported_namespace": ["metadata", "namespace"]}
_PR = ["metadata", "labels", labels.PR]


def _flux_info(kind: str) -> dict[str, Any]:
    extra: dict[str, list[str]] = {
        "Kustomization": {
            "revision": ["status", "lastAppliedRevision"],
            "source_name": ["spec", "sourceRef", "name"],
        },
        "HelmRelease": {
            "revision": ["status", "lastAppliedRevision"],
            "chart_name": ["spec", "chart", "spec", "chart"],
            "chart_source_name": ["spec", "chart", "spec", "sourceRef", "name"],
        },
        "Receiver": {"webhook_path": ["status", "webhookPath"]},
    }.get(kind, {"revision": ["status", "artifact", "revision"], "url": ["spec", "url"]})
    return {
        "name": "resource_info",
        "help": "The current state of a Flux resource.",
        "each": {"type": "Info", "info": {"labelsFromPath": {"name": ["metadata", "name"]}}},
        "labelsFromPath": {
            "exported_namespace": ["metadata", "namespace"],
            "ready": _READY,
            "suspended": ["spec", "suspend"],
            **extra,
        },
    }


def _gauge(name: str, help_text: str, path: list[str], **extra_labels: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "help": help_text,
        "each": {"type": "Gauge", "gauge": {"path": path}},
        "labelsFromPath": {**_IDENTITY, "pr": _PR, **extra_labels},
    }


def preview_metrics() -> list[dict[str, Any]]:
    """The preview metrics, for the Kustomization entry (empty name prefix)."""
    info = {
        "name": PREVIEW_INFO,
        "help": "One series per preview: its pull request, commit and Ready state.",
        "each": {
            "type": "Info",
            # A path only previews have, so only previews produce the series.
            "info": {"path": _PR, "labelsFromPath": {"pr": []}},
        },
        "labelsFromPath": {
            **_IDENTITY,
            "sha": ["metadata", "labels", labels.SHA],
            "pinned": ["metadata", "labels", labels.PINNED],
            "ready": _READY,
        },
    }
    return [
        info,
        _gauge(
            PREVIEW_CREATED,
            "When the preview was first created (Unix seconds).",
            ["metadata", "annotations", labels.CREATED_AT_EPOCH],
        ),
        _gauge(
            PREVIEW_UPDATED,
            "When `preview up` last committed a change to the preview (Unix seconds).",
            ["metadata", "annotations", labels.UPDATED_AT_EPOCH],
        ),
        _gauge(
            PREVIEW_EXPIRES,
            "When the garbage collector may remove the preview (Unix seconds).",
            ["metadata", "annotations", labels.EXPIRES_AT_EPOCH],
        ),
        # The next two are emitted for every Flux Kustomization (a status has no
        # preview-only path); only previews carry a non-empty `pr` label.
        _gauge(PREVIEW_READY, "1 when the Kustomization's Ready condition is True.", _READY),
        _gauge(
            PREVIEW_READY_SINCE,
            "Last transition of the Kustomization's Ready condition (Unix seconds).",
            _READY_SINCE,
        ),
    ]


def custom_resource_state() -> dict[str, Any]:
    """The `kube-state-metrics.customResourceState.config` value."""
    resources: list[dict[str, Any]] = []
    for group, version, kind, _plural in FLUX_KINDS:
        metrics = [_flux_info(kind)]
        if kind == "Kustomization":
            metrics[0] = {**metrics[0], "name": FLUX_INFO}
            metrics.extend(preview_metrics())
            resources.append(
                {
                    "groupVersionKind": {"group": group, "version": version, "kind": kind},
                    "metricNamePrefix": "",
                    "metrics": metrics,
                }
            )
        else:
            resources.append(
                {
                    "groupVersionKind": {"group": group, "version": version, "kind": kind},
                    "metricNamePrefix": "gotk",
                    "metrics": metrics,
                }
            )
    return {"kind": "CustomResourceStateMetrics", "spec": {"resources": resources}}


def rbac_rules() -> list[dict[str, Any]]:
    """List/watch on the Flux kinds above (kube-state-metrics' extraRules)."""
    return [
        {
            "apiGroups": sorted({group for group, *_ in FLUX_KINDS}),
            "resources": sorted({plural for *_, plural in FLUX_KINDS}),
            "verbs": ["list", "watch"],
        }
    ]
