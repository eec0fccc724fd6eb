"""`monitoring` as a platform component (registered in
`wildside.platform.components.registry`).

The shared folder `platform/monitoring/stack/` holds the namespaces and the
kube-prometheus-stack HelmRelease with the values every cluster uses. What
depends on the cluster (its name, sizing, Grafana host, Vault address,
receiver) is that cluster's own files in a `monitoring/` subfolder of its
layer folders: a patch of the HelmRelease's values (controllers) and the
ExternalSecrets (configs). PodMonitors, PrometheusRules and dashboards
depend on settings too, but are shared units named after their content
(`_by_content`). Those layers run Flux variable substitution, so a literal
`${...}` (Grafana's `${datasource}`) is written as the escape `$${...}`,
which Flux turns back into `${...}`."""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wildside.contract import names
from wildside.core import validation
from wildside.core.yaml_io import dump_documents
from wildside.platform.components.base import Component, Host, Patch, Unit, require
from wildside.platform.config import ClusterConfig
from wildside.platform.layers import Layer
from wildside.platform.manifests import HelmChart
from wildside.platform.monitoring import dashboards, release, rules, scrape
from wildside.platform.monitoring.settings import (
    DOKS_NODE_POOL_LABEL,
    GRAFANA_ADMIN_PATH,
    MonitoringSettings,
    ReceiverSettings,
    Sizing,
    Thresholds,
)

GROUP = "monitoring"  # the cluster's own files: clusters/<cluster>/<layer>/monitoring/
CHART = HelmChart(release.REPOSITORY, release.REPOSITORY_URL, release.CHART, release.CHART_VERSION)


class MonitoringComponentSettings(BaseModel):
    """`components.monitoring` in a cluster file; every field is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    grafana_host: str | None = None  # default grafana.<preview_domain> (wildcard certificate)
    grafana_tls_issuer: str | None = None
    grafana_admin_path: str = GRAFANA_ADMIN_PATH
    app: str = "wildside"
    app_metrics_port: str = names.METRICS_PORT
    max_previews: int = Field(default=20, ge=1, le=1000)
    node_pool_label: str = DOKS_NODE_POOL_LABEL
    sizing: Sizing | None = None
    thresholds: Thresholds = Field(default_factory=Thresholds)
    receiver: ReceiverSettings = Field(default_factory=ReceiverSettings)
    runbook_base_url: str = "docs/monitoring.md"


def monitoring_settings(
    cluster: ClusterConfig, settings: MonitoringComponentSettings
) -> MonitoringSettings:
    """The settings the monitoring tree renders from; a bad value (e.g. a
    derived Grafana host) is refused naming its place in the cluster file."""
    try:
        return _resolve(cluster, settings)
    except ValidationError as error:
        raise validation.config_error(
            f"cluster {cluster.name}", error, within=("components", "monitoring")
        ) from None


def _resolve(cluster: ClusterConfig, settings: MonitoringComponentSettings) -> MonitoringSettings:
    vault = cluster.vault
    return MonitoringSettings(
        cluster=cluster.name,
        environment=cluster.environment,
        grafana_host=settings.grafana_host or f"grafana.{cluster.preview_domain}",
        grafana_tls_issuer=settings.grafana_tls_issuer,
        grafana_admin_path=settings.grafana_admin_path,
        vault_address=vault.address if vault else None,
        vault_ca_certificate=vault.ca_certificate if vault else None,
        app=settings.app,
        app_metrics_port=settings.app_metrics_port,
        max_previews=settings.max_previews,
        node_pool_label=settings.node_pool_label,
        sizing=settings.sizing,
        thresholds=settings.thresholds,
        receiver=settings.receiver,
        runbook_base_url=settings.runbook_base_url,
    )


def escape_substitution(value: Any) -> Any:
    """Protect every `${` from Flux post-build substitution."""
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, dict):
        return {key: escape_substitution(item) for key, item in value.items()}
    if isinstance(value, list):
        return [escape_substitution(item) for item in value]
    return value


def _by_content(kind: str, documents: list[dict[str, Any]]) -> Unit:
    """A configs unit named after a hash of its content: the rules, dashboards
    and PodMonitors follow the cluster's settings (thresholds, preview cap,
    app), so clusters with the same settings share one folder and a cluster
    with its own settings gets its own, never a copy in its cluster folder."""
    escaped = escape_substitution(documents)
    digest = hashlib.sha256(dump_documents(escaped).encode("utf-8")).hexdigest()[:10]
    return Unit(f"{kind}-{digest}", Layer.CONFIGS, {f"{kind}.yaml": escaped})


class Monitoring(Component[MonitoringComponentSettings]):
    name = "monitoring"
    settings_model = MonitoringComponentSettings
    crd_groups = ("monitoring.coreos.com",)
    requires = ("vault",)

    def check(self, cluster: ClusterConfig, settings: MonitoringComponentSettings) -> None:
        require(cluster, cluster.vault, self.name, "vault.address (Grafana's admin password)")
        monitoring_settings(cluster, settings)  # refuses a bad host or receiver early

    def charts(
        self, cluster: ClusterConfig, settings: MonitoringComponentSettings
    ) -> list[HelmChart]:
        return [CHART]

    def hosts(self, cluster: ClusterConfig, settings: MonitoringComponentSettings) -> list[Host]:
        resolved = monitoring_settings(cluster, settings)
        return [Host(resolved.grafana_host, resolved.grafana_tls_issuer)]

    def units(self, cluster: ClusterConfig, settings: MonitoringComponentSettings) -> list[Unit]:
        resolved = monitoring_settings(cluster, settings)
        return [
            Unit(
                "stack",
                Layer.CONTROLLERS,
                {
                    "namespace.yaml": release.namespaces(resolved),
                    "helmrelease.yaml": [release.helm_release(resolved)],
                },
            ),
            _by_content("pod-monitors", scrape.pod_monitors(resolved)),
            _by_content("prometheus-rules", rules.prometheus_rules(resolved)),
            _by_content("dashboards", dashboards.configmaps(resolved)),
        ]

    def patches(self, cluster: ClusterConfig, settings: MonitoringComponentSettings) -> list[Patch]:
        """The cluster's own monitoring files, grouped in
        `clusters/<cluster>/<layer>/monitoring/`: its values as a patch of the
        shared HelmRelease, its Vault CA and its ExternalSecrets."""
        s = monitoring_settings(cluster, settings)
        patches = [
            Patch(
                Layer.CONTROLLERS,
                f"{GROUP}/helmrelease-values.yaml",
                escape_substitution(release.values_patch(s)),
                target={"kind": "HelmRelease", "name": release.RELEASE},
            ),
            Patch(
                Layer.CONFIGS,
                f"{GROUP}/external-secrets.yaml",
                escape_substitution(release.external_secrets(s)),
                resource=True,
            ),
        ]
        ca = scrape.vault_ca_configmap(s)
        if ca is not None:
            patches.append(Patch(Layer.CONTROLLERS, f"{GROUP}/vault-ca.yaml", ca, resource=True))
        return patches


COMPONENT = Monitoring()
