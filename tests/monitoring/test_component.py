"""The monitoring component as `wildside platform render` writes it: the
shared stack unit and each cluster's `<layer>/monitoring/` folders build with
the real `kubectl kustomize`, every object validates against the CRD schemas
(or kubernetes-validate), and no secret value reaches Git."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from wildside.contract import names
from wildside.core.errors import BadInput
from wildside.platform import render, service
from wildside.platform.monitoring import alertmanager, release
from wildside.platform.monitoring.settings import MonitoringSettings, Sizing

from support import schemas
from support.kustomize import build, by_kind
from support.monitoring_render import applied, settings_of

CONTROLLERS, CONFIGS = "controllers", "configs"


@pytest.mark.parametrize("layer", [CONTROLLERS, CONFIGS])
def test_each_layer_builds_and_validates(rendered: Path, layer: str) -> None:
    objects = applied(rendered / layer / "monitoring")
    assert objects
    schemas.validate_all(objects)
    listed = yaml.safe_load((rendered / layer / "kustomization.yaml").read_text())
    assert "monitoring" in listed["resources"]


def test_shared_units_build_and_validate(tree: Path) -> None:
    units = [tree / "platform/sources/prometheus-community"]
    units += sorted((tree / "platform/monitoring").iterdir())
    # stack; rules and dashboards for dev's settings and the defaults; one set of PodMonitors
    assert len(units) == 1 + 1 + 2 + 2 + 1
    for unit in units:
        objects = build(unit)
        assert objects, unit
        schemas.validate_all(objects)


def test_clusters_with_the_same_settings_share_units(tree: Path) -> None:
    """dev's preview cap (15) differs, so dev lists units of its own; staging
    keeps the defaults. No rules, dashboards or PodMonitors are copied into
    a cluster folder."""

    def listed(cluster: str) -> set[str]:
        index = yaml.safe_load(
            (tree / "clusters" / cluster / "configs/kustomization.yaml").read_text()
        )
        return {r.rsplit("/", 1)[1] for r in index["resources"] if "platform/monitoring/" in r}

    dev, staging = listed("dev"), listed("staging")
    assert len(dev) == len(staging) == 3
    assert {n.rsplit("-", 1)[0] for n in dev & staging} == {"pod-monitors"}
    assert {n.rsplit("-", 1)[0] for n in dev} == {"prometheus-rules", "dashboards", "pod-monitors"}
    for cluster in ("dev", "staging"):
        own = {p.name for p in (tree / "clusters" / cluster / "configs/monitoring").iterdir()}
        assert own == {"kustomization.yaml", "external-secrets.yaml"}


def test_helm_release_is_pinned_and_sized(
    tree: Path, rendered: Path, settings: MonitoringSettings
) -> None:
    (helm,) = by_kind(build(tree / "platform/monitoring/stack"), "HelmRelease")
    chart = helm["spec"]["chart"]["spec"]
    assert chart["chart"] == "kube-prometheus-stack"
    assert chart["version"] == release.CHART_VERSION and "x" not in chart["version"]
    assert helm["spec"]["values"] == release.shared_values(), "the shared unit: no cluster value"
    (patched,) = [
        o
        for o in by_kind(applied(rendered / CONTROLLERS), "HelmRelease")
        if o["metadata"]["name"] == release.RELEASE
    ]
    values = patched["spec"]["values"]  # what Flux applies on dev: shared values + dev's patch
    assert values == release.values(settings)
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


def test_credentials_come_from_vault_through_external_secrets(tree: Path, rendered: Path) -> None:
    objects = applied(rendered / CONFIGS / "monitoring")
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
    everything = "".join(path.read_text() for path in tree.rglob("*.yaml") if path.is_file())
    assert "adminPassword" not in everything
    assert "hooks.slack.com" not in everything


def test_without_receiver_credentials_nothing_is_mounted_and_no_secret_is_rendered(
    tree: Path, config_dir: Path
) -> None:
    """staging keeps the default receiver (none)."""
    quiet = settings_of(config_dir, "staging")
    assert quiet.receiver.kind == "none"
    staging = tree / "clusters" / "staging"
    everything = "".join(p.read_text() for p in staging.rglob("*.yaml"))
    assert "kind: Secret\n" not in everything
    secrets = (staging / CONFIGS / "monitoring" / "external-secrets.yaml").read_text()
    assert alertmanager.RECEIVER_SECRET not in secrets
    assert release.values(quiet)["alertmanager"]["alertmanagerSpec"]["secrets"] == []


def test_rendering_is_deterministic(config_dir: Path) -> None:
    clusters = service.load_clusters(config_dir, [], every=True, tofu_files=[])
    assert service.render_all(clusters) == service.render_all(clusters)
    dev = next(c for c in clusters if c.name == "dev")
    assert render.render_cluster(dev) == render.render_cluster(dev)


def test_pod_monitors_cover_the_platform(rendered: Path) -> None:
    objects = applied(rendered / CONFIGS)
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
