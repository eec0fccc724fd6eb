"""The `wildside-apps` repository as a pure function of its configuration:
`base/` (the canonical HelmRelease and its chart source), the long-lived
overlays and the ephemeral overlay index."""

from __future__ import annotations

from typing import Any

from wildside.apps_repo.config import CONFIG_FILE, AppsConfig
from wildside.core import kube
from wildside.core.yaml_io import dump, dump_documents
from wildside.vault import external_secret as es

EPHEMERAL_DIR = "overlays/ephemeral"
EPHEMERAL_INDEX = f"{EPHEMERAL_DIR}/kustomization.yaml"
CHART_SOURCE_NAME = "app-chart"
PATCH_FILE = "patch-helmrelease-values.yaml"


def chart_source(config: AppsConfig) -> dict[str, Any]:
    spec: dict[str, Any] = {"interval": "10m", "url": config.chart.url}
    if config.chart.is_oci:
        spec["type"] = "oci"
    return {
        "apiVersion": kube.SOURCE_API,
        "kind": "HelmRepository",
        "metadata": kube.metadata(CHART_SOURCE_NAME),
        "spec": spec,
    }


def component_values(images: dict[str, str], tag: str) -> dict[str, Any]:
    """`<component>.image.{repository,tag}` for every component (the chart contract)."""
    return {
        component: {"image": {"repository": repository, "tag": tag}}
        for component, repository in sorted(images.items())
    }


def helm_release(config: AppsConfig) -> dict[str, Any]:
    values: dict[str, Any] = component_values(config.images, "latest")
    values["ingress"] = {"enabled": True, "className": "traefik", "host": config.production_host}
    return {
        "apiVersion": kube.HELM_API,
        "kind": "HelmRelease",
        "metadata": kube.metadata(config.app, labels={"app.kubernetes.io/name": config.app}),
        "spec": {
            "interval": "10m",
            "timeout": "5m",
            "chart": {
                "spec": {
                    "chart": config.chart.name,
                    "version": config.chart.version,
                    "sourceRef": {"kind": "HelmRepository", "name": CHART_SOURCE_NAME},
                    "interval": "10m",
                }
            },
            "install": {"remediation": {"retries": 3}},
            "upgrade": {"remediation": {"retries": 3}, "cleanupOnFail": True},
            "values": values,
        },
    }


def values_patch(config: AppsConfig, values: dict[str, Any]) -> dict[str, Any]:
    """A strategic-merge patch that overrides the base HelmRelease's values."""
    return {
        "apiVersion": kube.HELM_API,
        "kind": "HelmRelease",
        "metadata": {"name": config.app},
        "spec": {"values": values},
    }


def namespace_document(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": kube.metadata(name, labels=labels)}


def long_lived_overlay(config: AppsConfig, environment: str, host: str) -> dict[str, str]:
    namespace = f"{config.app}-{environment}"
    secret = es.secret_name(config.app)
    values: dict[str, Any] = {
        "ingress": {"host": host},
        "secrets": {"existingSecret": secret},
    }
    return {
        "kustomization.yaml": dump(
            kube.kustomization(
                ["../../base", "namespace.yaml", es.FILE_NAME],
                namespace=namespace,
                patches=[{"path": PATCH_FILE}],
            )
        ),
        "namespace.yaml": dump(namespace_document(namespace)),
        # Git holds the reference; the values stay in Vault at wildside/apps/<environment>.
        es.FILE_NAME: dump(es.external_secret(secret, es.app_path(environment))),
        PATCH_FILE: dump(values_patch(config, values)),
    }


def base_tree(config: AppsConfig) -> dict[str, str]:
    return {
        "kustomization.yaml": dump(kube.kustomization(["helmrepository.yaml", "helmrelease.yaml"])),
        "helmrepository.yaml": dump(chart_source(config)),
        "helmrelease.yaml": dump(helm_release(config)),
    }


def config_file(config: AppsConfig) -> str:
    return dump(config.model_dump(mode="json"))


def ephemeral_index(entries: list[str]) -> str:
    return dump_documents([kube.kustomization(entries)])


def managed_tree(config: AppsConfig) -> dict[str, str]:
    """Every file `apps init` owns (the ephemeral index is handled separately
    because previews add to it)."""
    tree = {CONFIG_FILE: config_file(config)}
    tree.update({f"base/{path}": text for path, text in base_tree(config).items()})
    for environment, host in (
        ("production", config.production_host),
        ("staging", config.staging_host),
    ):
        overlay = long_lived_overlay(config, environment, host)
        tree.update({f"overlays/{environment}/{path}": text for path, text in overlay.items()})
    return tree
