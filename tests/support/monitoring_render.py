"""Helpers for the monitoring tests, which check what `wildside platform
render` writes: the settings the renderer resolved for a cluster, and what
Flux applies from a folder of the rendered tree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from wildside.platform import service
from wildside.platform.components import registry
from wildside.platform.monitoring.platform_component import monitoring_settings
from wildside.platform.monitoring.settings import MonitoringSettings

from support.flux_substitute import substitute
from support.platform_tree import cluster_vars, kustomize_text


def settings_of(config_dir: Path, cluster_name: str) -> MonitoringSettings:
    """The settings the renderer resolved for that cluster."""
    (cluster,) = service.load_clusters(config_dir, [cluster_name], every=False, tofu_files=[])
    component = registry.components()["monitoring"]
    return monitoring_settings(cluster, component.parse_settings(cluster))


def applied(folder: Path) -> list[dict[str, Any]]:
    """What Flux applies from a folder of dev's tree: kustomize, then the
    post-build substitution of dev's cluster-vars (`$${x}` becomes `${x}`)."""
    tree = next(p for p in folder.parents if (p / "clusters/dev/cluster-vars.yaml").is_file())
    text = substitute(kustomize_text(folder), cluster_vars(tree, "dev"))
    return [doc for doc in yaml.safe_load_all(text) if doc]
