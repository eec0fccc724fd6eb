"""`apps` (always on): the wildside-apps GitRepository and one Flux
Kustomization per long-lived overlay the cluster runs (production, staging).
Previews are the separate previews layer, pointed at overlays/ephemeral."""

from __future__ import annotations

from typing import Any

from wildside.contract import kube, names
from wildside.platform.components.base import (
    Component,
    Host,
    NoSettings,
    Patch,
    Unit,
    require,
)
from wildside.platform.config import ClusterConfig
from wildside.platform.layers import Layer
from wildside.platform.manifests import MANAGED_BY, external_secret

AUTH_SECRET = "wildside-apps-auth"  # noqa: S105 - a Secret's name


def git_repository() -> dict[str, Any]:
    return {
        "apiVersion": kube.SOURCE_API,
        "kind": "GitRepository",
        "metadata": kube.metadata(names.APPS_SOURCE, names.FLUX_NAMESPACE, labels=MANAGED_BY),
        "spec": {
            "interval": "${apps_interval:=5m}",
            "url": "${apps_url}",
            "ref": {"branch": "${apps_branch:=main}"},
        },
    }


def overlay_kustomization(environment: str) -> dict[str, Any]:
    return {
        "apiVersion": kube.FLUX_KUSTOMIZE_API,
        "kind": "Kustomization",
        "metadata": kube.metadata(
            f"wildside-{environment}", names.FLUX_NAMESPACE, labels=MANAGED_BY
        ),
        "spec": {
            "interval": "10m",
            "retryInterval": "1m",
            "timeout": "10m",
            "path": f"./overlays/{environment}",
            "prune": True,
            "wait": True,
            "sourceRef": {"kind": "GitRepository", "name": names.APPS_SOURCE},
        },
    }


class Apps(Component[NoSettings]):
    name = "apps"

    def units(self, cluster: ClusterConfig, settings: NoSettings) -> list[Unit]:
        units = [Unit("source", Layer.APPS, {"gitrepository.yaml": [git_repository()]})]
        units.extend(
            Unit(
                f"overlay-{environment}",
                Layer.APPS,
                {"flux-kustomization.yaml": [overlay_kustomization(environment)]},
            )
            for environment in cluster.apps.overlays
        )
        return units

    def patches(self, cluster: ClusterConfig, settings: NoSettings) -> list[Patch]:
        """A private wildside-apps repository: HTTPS credentials from Vault."""
        path = cluster.apps.credentials_path
        if path is None:
            return []
        credentials = external_secret(
            AUTH_SECRET,
            names.FLUX_NAMESPACE,
            {"username": (path, "username"), "password": (path, "password")},
        )
        source_patch = {
            "apiVersion": kube.SOURCE_API,
            "kind": "GitRepository",
            "metadata": {"name": names.APPS_SOURCE, "namespace": names.FLUX_NAMESPACE},
            "spec": {"secretRef": {"name": AUTH_SECRET}},
        }
        return [
            Patch(Layer.APPS, "wildside-apps-auth.yaml", credentials, resource=True),
            Patch(
                Layer.APPS,
                "patch-wildside-apps-auth.yaml",
                source_patch,
                target={"kind": "GitRepository", "name": names.APPS_SOURCE},
            ),
        ]

    def check(self, cluster: ClusterConfig, settings: NoSettings) -> None:
        if cluster.apps.credentials_path is not None and "vault" not in cluster.components:
            require(cluster, False, self.name, "the vault component for apps.credentials_path")

    def hosts(self, cluster: ClusterConfig, settings: NoSettings) -> list[Host]:
        return [Host(host) for _, host in sorted(cluster.apps.hosts.items())]

    def variables(self, cluster: ClusterConfig, settings: NoSettings) -> dict[str, str]:
        return {
            "apps_url": cluster.apps.url,
            "apps_branch": cluster.apps.branch,
            "apps_interval": cluster.apps.interval,
        }


COMPONENT = Apps()
