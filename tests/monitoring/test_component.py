"""The monitoring component's trees build with the real `kubectl kustomize`,
every object validates against the CRD schemas (or kubernetes-validate), and
no secret value reaches Git."""

from __future__ import annotations

from pathlib import Path

import pytest

from wildside.contract import names
from wildside.core.errors import BadInput
from wildside.platform.monitoring import alertmanager, release
from wildside.platform.monitoring.component import CONFIGS, CONTROLLERS, SOURCES, monitoring_tree
from wildside.platform.monitoring.settings import MonitoringSettings, Sizing

from support import schemas
from support.kustomize import build, by_kind


@pytest.mark.parametrize("layer", [SOURCES, CONTROLLERS, CONFIGS])
def test_each_layer_builds_and_validates(rendered: Path, layer: str) -> None:
    objects = build(rendered / layer / "monitoring")
    assert objects
    schemas.validate_all(objects)


def test_helm_release_is_pinned_and_sized(rendered: Path, settings: MonitoringSettings) -> None:
    objects = build(rendered / CONTROLLERS / "monitoring")
    (helm,) = by_kind(objects, "HelmRelease")
    chart = helm["spec"]["chart"]["spec"]
    assert chart["chart"] == "kube-prometheus-stack"
    assert chart["version"] == release.CHART_VERSION and "x" not in chart["version"]
    values = helm["spec"]["values"]
    spec = values["prometheus"]["prometheusSpec"]
    sizing = settings.resolved_sizing
    assert spec["retention"] == sizing.retention
    assert spec["resources"]["requests"]["memory"] == sizing.prometheus.memory
    assert spec["externalLabels"] == {"cluster": settings.cluster}
    assert spec["additionalScrapeConfigs"][0]["static_configs"][0]["targets"] == [
        "vault.example.com:8200"
    ]
    grafana = values["grafana"]
    assert grafana["admin"]["existingSecret"] == release.GRAFANA_ADMIN_SECRET
    assert grafana["ingress"]["hosts"] == [settings.grafana_host]
    assert grafana["ingress"]["ingressClassName"] == "traefik"
    assert grafana["sidecar"]["dashboards"]["label"] == "grafana_dashboard"
    assert values["alertmanager"]["alertmanagerSpec"]["secrets"] == [alertmanager.RECEIVER_SECRET]
    ksm = values["kube-state-metrics"]
    assert ksm["customResourceState"]["enabled"] is True
    assert ksm["metricLabelsAllowlist"] == [f"nodes=[{settings.node_pool_label}]"]


def test_sizing_follows_the_environment_and_overrides(settings: MonitoringSettings) -> None:
    production = settings.model_copy(update={"environment": "production"})
    assert production.resolved_sizing.retention == "30d"
    custom = Sizing.model_validate(
        {
            **production.resolved_sizing.model_dump(),
            "retention": "90d",
        }
    )
    assert settings.model_copy(update={"sizing": custom}).resolved_sizing.retention == "90d"


def test_credentials_come_from_vault_through_external_secrets(rendered: Path) -> None:
    objects = build(rendered / CONFIGS / "monitoring")
    secrets = {s["metadata"]["name"]: s for s in by_kind(objects, "ExternalSecret")}
    assert set(secrets) == {release.GRAFANA_ADMIN_SECRET, alertmanager.RECEIVER_SECRET}
    for secret in secrets.values():
        assert secret["spec"]["secretStoreRef"] == {
            "kind": "ClusterSecretStore",
            "name": names.SECRET_STORE,
        }
    grafana = secrets[release.GRAFANA_ADMIN_SECRET]["spec"]["data"]
    assert {d["secretKey"] for d in grafana} == {"admin-user", "admin-password"}
    assert not by_kind(objects, "Secret")
    everything = "".join(path.read_text() for path in rendered.rglob("*.yaml") if path.is_file())
    assert "adminPassword" not in everything
    assert "hooks.slack.com" not in everything


def test_without_receiver_credentials_nothing_is_mounted_and_no_secret_is_rendered(
    settings: MonitoringSettings,
) -> None:
    quiet = settings.model_copy(
        update={"receiver": settings.receiver.model_copy(update={"kind": "none"})}
    )
    trees = monitoring_tree(quiet)
    everything = "".join(text for tree in trees.values() for text in tree.values())
    assert "kind: Secret" not in everything
    assert alertmanager.RECEIVER_SECRET not in trees[CONFIGS]["external-secrets.yaml"]
    assert release.values(quiet)["alertmanager"]["alertmanagerSpec"]["secrets"] == []


def test_rendering_is_deterministic(settings: MonitoringSettings) -> None:
    assert monitoring_tree(settings) == monitoring_tree(settings)


def test_pod_monitors_cover_the_platform(rendered: Path) -> None:
    objects = build(rendered / CONFIGS / "monitoring")
    monitors = {m["metadata"]["name"] for m in by_kind(objects, "PodMonitor")}
    assert monitors == {
        "flux-system",
        "traefik",
        "cert-manager",
        "external-secrets",
        "cloudnative-pg",
        "valkey",
        "wildside",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("grafana_host", "not a host"),
        ("vault_address", "http://vault.example.com"),
        ("grafana_admin_path", "/data/secret"),
        # a private key where a CA certificate belongs (built so no scanner mistakes it for one)
        ("vault_ca_certificate", "-----BEGIN " + "PRIVATE KEY-----"),
    ],
)
def test_bad_settings_are_refused(field: str, value: str) -> None:
    base = {"cluster": "dev", "grafana_host": "grafana.example.com"}
    with pytest.raises((ValueError, BadInput)):
        MonitoringSettings.model_validate({**base, field: value})
