"""Dashboards as code, shipped as ConfigMaps the Grafana sidecar loads."""

from __future__ import annotations

import json
from typing import Any

from wildside.platform.monitoring.dashboards import application, platform, previews
from wildside.platform.monitoring.settings import MonitoringSettings

SIDECAR_LABEL = "grafana_dashboard"
SIDECAR_VALUE = "1"
FOLDER_ANNOTATION = "grafana_folder"


def dashboards(settings: MonitoringSettings) -> dict[str, dict[str, Any]]:
    """{file name: dashboard JSON}."""
    return {
        "wildside-platform.json": platform.build(settings),
        "wildside-previews.json": previews.build(settings),
        "wildside-application.json": application.build(settings),
    }


def configmaps(settings: MonitoringSettings) -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": f"dashboard-{name.removesuffix('.json')}",
                "namespace": settings.namespace,
                "labels": {SIDECAR_LABEL: SIDECAR_VALUE},
                "annotations": {FOLDER_ANNOTATION: "Wildside"},
            },
            "data": {name: json.dumps(body, indent=2, sort_keys=True) + "\n"},
        }
        for name, body in dashboards(settings).items()
    ]
