"""`sources`: one HelmRepository per chart repository the cluster's
components use, each in its own folder so a cluster lists only its own."""

from __future__ import annotations

from wildside.platform.components.base import Component, NoSettings, Unit
from wildside.platform.config import ClusterConfig
from wildside.platform.layers import Layer
from wildside.platform.manifests import HelmChart, helm_repository


def repository_units(charts: list[HelmChart]) -> list[Unit]:
    by_repository: dict[str, HelmChart] = {}
    for chart in charts:
        known = by_repository.setdefault(chart.repository, chart)
        if known.url != chart.url:
            raise RuntimeError(f"HelmRepository {chart.repository!r} has two URLs")
    return [
        Unit(name, Layer.SOURCES, {"helmrepository.yaml": [helm_repository(chart)]})
        for name, chart in sorted(by_repository.items())
    ]


class Sources(Component[NoSettings]):
    name = "sources"

    def units(self, cluster: ClusterConfig, settings: NoSettings) -> list[Unit]:
        return []  # the renderer calls repository_units() with every component's charts


COMPONENT = Sources()
