"""The `wildside-apps` repository as a pure function of its configuration:
`base/` (the canonical HelmRelease and its chart source), the long-lived
overlays and the ephemeral overlay index."""

from __future__ import annotations

from typing import Any

from wildside.contract import identity, kube, vault_paths
from wildside.contract.identity import EPHEMERAL_DIR
from wildside.contract.overlay import EXTERNAL_SECRET_FILE
from wildside.core.yaml_io import dump, dump_documents
from wildside.previews import isolation, values_template
from wildside.previews.config import CONFIG_FILE, AppsConfig

EPHEMERAL_INDEX = f"{EPHEMERAL_DIR}/kustomization.yaml"
CHART_SOURCE_NAME = "app-chart"
PATCH_FILE = "patch-helmrelease-values.yaml"


def chart_source(config: AppsConfig) -> dict[str, Any]:
    return kube.helm_repository(CHART_SOURCE_NAME, config.chart.url, interval="10m")


LONG_LIVED_TAG = "latest"


def environment_values(config: AppsConfig, environment: str, host: str) -> dict[str, Any]:
    """The values template rendered for a long-lived environment (no preview,
    the environment's host, namespace and Secret)."""
    context = values_template.Context(
        app=config.app,
        namespace=f"{config.app}-{environment}",
        host=host,
        tag=LONG_LIVED_TAG,
        images=dict(config.images),
        secret_name=identity.app_secret(config.app),
    )
    return values_template.render(config.template(), context)


def helm_release(config: AppsConfig) -> dict[str, Any]:
    values = environment_values(config, "production", config.production_host)
    return kube.helm_release(
        config.app,
        None,
        chart=config.chart.name,
        version=config.chart.version,
        repository=CHART_SOURCE_NAME,
        interval="10m",
        chart_interval="10m",
        timeout="5m",
        labels={"app.kubernetes.io/name": config.app},
        install={"remediation": {"retries": 3}},
        upgrade={"remediation": {"retries": 3}, "cleanupOnFail": True},
        values=values,
    )


def values_patch(config: AppsConfig, values: dict[str, Any]) -> dict[str, Any]:
    """A strategic-merge patch that overrides the base HelmRelease's values."""
    return kube.helm_release_patch(config.app, values)


def long_lived_overlay(config: AppsConfig, environment: str, host: str) -> dict[str, str]:
    namespace = f"{config.app}-{environment}"
    secret = identity.app_secret(config.app)
    values = environment_values(config, environment, host)
    return {
        "kustomization.yaml": dump(
            kube.kustomization(
                [
                    "../../base",
                    "namespace.yaml",
                    isolation.NETWORK_POLICY_FILE,
                    EXTERNAL_SECRET_FILE,
                ],
                namespace=namespace,
                patches=[{"path": PATCH_FILE}],
            )
        ),
        # Held to the same rules as a preview: the chart's pods pass `restricted`,
        # and only Traefik, the namespace itself and Prometheus (metrics port) get in.
        "namespace.yaml": dump(isolation.namespace(namespace)),
        isolation.NETWORK_POLICY_FILE: dump_documents(
            isolation.network_policies(namespace, config.ingress_namespace)
        ),
        # Git holds the reference; the values stay in Vault at wildside/apps/<environment>.
        EXTERNAL_SECRET_FILE: dump(
            kube.external_secret(secret, extract=vault_paths.app_environment(environment))
        ),
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
