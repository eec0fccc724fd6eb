"""The rendered alerting rules, checked and unit-tested by the real promtool:
each critical alert fires when it should and stays quiet when it should not."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from wildside.platform.monitoring import rules
from wildside.platform.monitoring.settings import MonitoringSettings

from support.kustomize import by_kind
from support.monitoring_render import applied
from support.prometheus import check_rules, run_rule_tests, write_yaml

MIN = 60
DAY = 86400


def _series(name: str, labels: dict[str, str], values: str) -> dict[str, str]:
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return {"series": f"{name}{{{inner}}}", "values": values}


def _alert(
    name: str, at: str, *expected: dict[str, str], severity: str, scope: str
) -> dict[str, Any]:
    return {
        "eval_time": at,
        "alertname": name,
        "exp_alerts": [
            {"exp_labels": {**labels, "severity": severity, "scope": scope}} for labels in expected
        ],
    }


def _without_annotations(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """promtool compares annotations verbatim; these tests are about when
    alerts fire, so they run the deployed rules minus annotations (whose
    templates `promtool check rules` validates on the deployed file)."""
    stripped = copy.deepcopy(groups)
    for group in stripped:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    return stripped


def _rule_file(tmp_path: Path, settings: MonitoringSettings, *, annotations: bool) -> Path:
    groups = rules.rule_groups(settings)
    body = {"groups": groups if annotations else _without_annotations(groups)}
    return write_yaml(tmp_path / ("rules.yaml" if annotations else "rules-bare.yaml"), body)


def test_deployed_rules_pass_promtool_check(rendered: Path, tmp_path: Path) -> None:
    objects = applied(rendered / "configs")  # the layer, with its shared units
    groups = [g for obj in by_kind(objects, "PrometheusRule") for g in obj["spec"]["groups"]]
    assert {g["name"] for g in groups} >= {
        "wildside.flux",
        "wildside.certificates",
        "wildside.vault",
        "wildside.data",
        "wildside.nodes",
        "wildside.previews",
        "wildside.recording",
    }
    check_rules(write_yaml(tmp_path / "deployed.yaml", {"groups": groups}))


def test_every_alert_has_severity_scope_and_runbook(settings: MonitoringSettings) -> None:
    for group in rules.rule_groups(settings):
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            assert rule["labels"]["severity"] in {"critical", "warning"}
            assert rule["labels"]["scope"] in {"platform", "preview", "capacity"}
            assert rule["for"]
            annotations = rule["annotations"]
            assert annotations["summary"] and annotations["description"]
            assert annotations["runbook_url"].endswith("#" + rule["alert"].lower())


def test_platform_alerts(settings: MonitoringSettings, tmp_path: Path) -> None:
    ok = {"suspended": "false"}
    flux = "gotk_resource_info"
    tests = {
        "rule_files": [str(_rule_file(tmp_path, settings, annotations=False))],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    _series(
                        flux,
                        {
                            "customresource_kind": "Kustomization",
                            "exported_namespace": "flux-system",
                            "name": "configs",
                            "ready": "False",
                            **ok,
                        },
                        "1x30",
                    ),
                    _series(
                        flux,
                        {
                            "customresource_kind": "Kustomization",
                            "exported_namespace": "flux-system",
                            "name": "controllers",
                            "ready": "True",
                            **ok,
                        },
                        "1x30",
                    ),
                    # A suspended Kustomization and a preview are not platform failures.
                    _series(
                        flux,
                        {
                            "customresource_kind": "Kustomization",
                            "exported_namespace": "flux-system",
                            "name": "paused",
                            "ready": "False",
                            "suspended": "true",
                        },
                        "1x30",
                    ),
                    _series(
                        flux,
                        {
                            "customresource_kind": "Kustomization",
                            "exported_namespace": "flux-system",
                            "name": "wildside-pr-7",
                            "ready": "False",
                            **ok,
                        },
                        "1x30",
                    ),
                    _series(
                        "wildside_preview_info",
                        {"exported_namespace": "flux-system", "name": "wildside-pr-7", "pr": "7"},
                        "1x30",
                    ),
                    _series(
                        flux,
                        {
                            "customresource_kind": "HelmRelease",
                            "exported_namespace": "traefik",
                            "name": "traefik",
                            "ready": "Unknown",
                            **ok,
                        },
                        "1x30",
                    ),
                    _series(
                        "certmanager_certificate_expiration_timestamp_seconds",
                        {"namespace": "traefik", "name": "wildcard"},
                        f"{13 * DAY}x200",
                    ),
                    _series(
                        "certmanager_certificate_expiration_timestamp_seconds",
                        {"namespace": "traefik", "name": "fresh"},
                        f"{60 * DAY}x200",
                    ),
                    _series("vault_core_unsealed", {"job": "vault", "instance": "v:8200"}, "0x10"),
                    _series("up", {"job": "vault", "instance": "v:8200"}, "0x10"),
                    _series(
                        "cnpg_collector_up",
                        {"namespace": "databases", "pod": "previews-pg-1"},
                        "0x10",
                    ),
                    _series(
                        "cnpg_collector_up",
                        {"namespace": "databases", "pod": "previews-pg-2"},
                        "1x10",
                    ),
                    _series(
                        "cnpg_pg_replication_lag",
                        {"namespace": "databases", "pod": "previews-pg-2"},
                        "120x10",
                    ),
                    _series(
                        "cnpg_pg_replication_lag",
                        {"namespace": "databases", "pod": "previews-pg-3"},
                        "5x10",
                    ),
                    _series("redis_up", {"namespace": "cache", "pod": "valkey-0-0"}, "0x10"),
                ],
                "alert_rule_test": [
                    _alert(
                        "FluxKustomizationNotReady", "10m", severity="critical", scope="platform"
                    ),
                    _alert(
                        "FluxKustomizationNotReady",
                        "16m",
                        {"exported_namespace": "flux-system", "name": "configs"},
                        severity="critical",
                        scope="platform",
                    ),
                    _alert(
                        "FluxHelmReleaseNotReady",
                        "16m",
                        {"exported_namespace": "traefik", "name": "traefik"},
                        severity="critical",
                        scope="platform",
                    ),
                    _alert(
                        "CertificateExpiringSoon",
                        "2h",
                        {"namespace": "traefik", "name": "wildcard"},
                        severity="warning",
                        scope="platform",
                    ),
                    _alert(
                        "VaultSealed",
                        "2m",
                        {"job": "vault", "instance": "v:8200"},
                        severity="critical",
                        scope="platform",
                    ),
                    _alert(
                        "VaultUnreachable",
                        "6m",
                        {"job": "vault", "instance": "v:8200"},
                        severity="critical",
                        scope="platform",
                    ),
                    _alert(
                        "CNPGInstanceDown",
                        "6m",
                        {"namespace": "databases", "pod": "previews-pg-1"},
                        severity="critical",
                        scope="platform",
                    ),
                    _alert(
                        "CNPGReplicationLag",
                        "6m",
                        {"namespace": "databases", "pod": "previews-pg-2"},
                        severity="warning",
                        scope="platform",
                    ),
                    _alert(
                        "RedisDown",
                        "6m",
                        {"namespace": "cache", "pod": "valkey-0-0"},
                        severity="critical",
                        scope="platform",
                    ),
                ],
            },
            {
                # A healthy platform: none of the critical alerts fires.
                "interval": "1m",
                "input_series": [
                    _series("vault_core_unsealed", {"job": "vault", "instance": "v"}, "1x40"),
                    _series("up", {"job": "vault", "instance": "v"}, "1x40"),
                    _series("cnpg_collector_up", {"namespace": "d", "pod": "p"}, "1x40"),
                    _series("up", {"job": "monitoring/cloudnative-pg", "pod": "p"}, "1x40"),
                    _series("redis_up", {"namespace": "c", "pod": "r"}, "1x40"),
                    _series(
                        flux,
                        {
                            "customresource_kind": "HelmRelease",
                            "exported_namespace": "x",
                            "name": "ok",
                            "ready": "True",
                            **ok,
                        },
                        "1x40",
                    ),
                ],
                "alert_rule_test": [
                    _alert(name, "30m", severity="critical", scope="platform")
                    for name in (
                        "VaultSealed",
                        "VaultUnreachable",
                        "CNPGInstanceDown",
                        "RedisDown",
                        "FluxHelmReleaseNotReady",
                        "FluxKustomizationNotReady",
                    )
                ],
            },
            {
                # Vault never scraped at all (wrong address, firewall): absent() catches it.
                "interval": "1m",
                "input_series": [_series("up", {"job": "other"}, "1x10")],
                "alert_rule_test": [
                    _alert(
                        "VaultUnreachable",
                        "6m",
                        {"job": "vault"},
                        severity="critical",
                        scope="platform",
                    )
                ],
            },
        ],
    }
    run_rule_tests(write_yaml(tmp_path / "platform-test.yaml", tests))


def test_node_pool_saturation(settings: MonitoringSettings, tmp_path: Path) -> None:
    pool = settings.node_pool_metric_label

    def pod(node: str, name: str, cpu: str) -> list[dict[str, str]]:
        where = {"namespace": "ns", "pod": name}
        return [
            _series(
                "kube_pod_container_resource_requests",
                {**where, "node": node, "resource": "cpu", "container": "c"},
                f"{cpu}x40",
            ),
            _series("kube_pod_status_phase", {**where, "phase": "Running"}, "1x40"),
        ]

    tests = {
        "rule_files": [str(_rule_file(tmp_path, settings, annotations=False))],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    _series("kube_node_labels", {"node": "n1", pool: "previews"}, "1x40"),
                    _series("kube_node_labels", {"node": "n2", pool: "system"}, "1x40"),
                    _series(
                        "kube_node_status_allocatable", {"node": "n1", "resource": "cpu"}, "2x40"
                    ),
                    _series(
                        "kube_node_status_allocatable", {"node": "n2", "resource": "cpu"}, "4x40"
                    ),
                    *pod("n1", "a", "1.5"),
                    *pod("n1", "b", "0.4"),
                    *pod("n2", "c", "1"),
                    # A finished pod's requests do not count.
                    _series(
                        "kube_pod_container_resource_requests",
                        {
                            "namespace": "ns",
                            "pod": "done",
                            "node": "n2",
                            "resource": "cpu",
                            "container": "c",
                        },
                        "3x40",
                    ),
                    _series(
                        "kube_pod_status_phase",
                        {"namespace": "ns", "pod": "done", "phase": "Succeeded"},
                        "1x40",
                    ),
                ],
                "promql_expr_test": [
                    {
                        "expr": rules.NODE_POOL_REQUESTS,
                        "eval_time": "5m",
                        "exp_samples": [
                            {
                                "labels": f'{{__name__="{rules.NODE_POOL_REQUESTS}", {pool}="previews", resource="cpu"}}',
                                "value": 0.95,
                            },
                            {
                                "labels": f'{{__name__="{rules.NODE_POOL_REQUESTS}", {pool}="system", resource="cpu"}}',
                                "value": 0.25,
                            },
                        ],
                    }
                ],
                "alert_rule_test": [
                    _alert("NodePoolSaturated", "20m", severity="warning", scope="platform"),
                    _alert(
                        "NodePoolSaturated",
                        "35m",
                        {pool: "previews", "resource": "cpu"},
                        severity="warning",
                        scope="platform",
                    ),
                ],
            }
        ],
    }
    run_rule_tests(write_yaml(tmp_path / "nodes-test.yaml", tests))


def test_preview_alerts_and_recordings(settings: MonitoringSettings, tmp_path: Path) -> None:
    where = {"exported_namespace": "flux-system"}
    cap = settings.max_previews
    near = int(cap * settings.thresholds.previews_near_cap_ratio)

    def info(pr: int, pinned: str = "false", count: str = "1x240") -> dict[str, str]:
        labels = {**where, "name": f"wildside-pr-{pr}", "pr": str(pr), "pinned": pinned}
        return _series("wildside_preview_info", labels, count)

    def preview(name: str, metric: str, value: str, pr: str | None) -> dict[str, str]:
        labels = {**where, "name": name}
        if pr is not None:
            labels["pr"] = pr
        return _series(metric, labels, value)

    stuck = settings.thresholds.preview_stuck_minutes
    tests = {
        "rule_files": [str(_rule_file(tmp_path, settings, annotations=False))],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    info(1),
                    info(2, pinned="true"),
                    preview("wildside-pr-1", "wildside_preview_ready", "0x60", "1"),
                    preview("wildside-pr-2", "wildside_preview_ready", "1x60", "2"),
                    # A platform Kustomization carries no pr label: never a preview alert.
                    preview("configs", "wildside_preview_ready", "0x60", None),
                    preview(
                        "wildside-pr-2", "wildside_preview_updated_timestamp_seconds", "300x60", "2"
                    ),
                    preview(
                        "wildside-pr-2",
                        "wildside_preview_ready_transition_timestamp_seconds",
                        "540x60",
                        "2",
                    ),
                    preview(
                        "wildside-pr-1", "wildside_preview_created_timestamp_seconds", "0x240", "1"
                    ),
                    # Both expired at t=0; only the unpinned one is reported.
                    preview(
                        "wildside-pr-1", "wildside_preview_expires_timestamp_seconds", "0x240", "1"
                    ),
                    preview(
                        "wildside-pr-2", "wildside_preview_expires_timestamp_seconds", "0x240", "2"
                    ),
                ],
                "alert_rule_test": [
                    _alert("PreviewNotReady", f"{stuck - 2}m", severity="warning", scope="preview"),
                    _alert(
                        "PreviewNotReady",
                        f"{stuck + 1}m",
                        {**where, "name": "wildside-pr-1", "pr": "1"},
                        severity="warning",
                        scope="preview",
                    ),
                    _alert(
                        "PreviewExpiredNotRemoved",
                        "3h",
                        {**where, "name": "wildside-pr-1", "pr": "1"},
                        severity="warning",
                        scope="preview",
                    ),
                    _alert("PreviewsNearCap", "30m", severity="warning", scope="capacity"),
                ],
                "promql_expr_test": [
                    {
                        "expr": rules.PREVIEW_COMMIT_TO_READY,
                        "eval_time": "10m",
                        "exp_samples": [
                            {
                                "labels": f'{{__name__="{rules.PREVIEW_COMMIT_TO_READY}", '
                                'exported_namespace="flux-system", name="wildside-pr-2", pr="2"}',
                                "value": 240,
                            }
                        ],
                    },
                    {
                        "expr": rules.PREVIEWS_COUNT,
                        "eval_time": "10m",
                        "exp_samples": [
                            {"labels": f'{{__name__="{rules.PREVIEWS_COUNT}"}}', "value": 2}
                        ],
                    },
                    {
                        "expr": rules.PREVIEW_AGE,
                        "eval_time": "60m",
                        "exp_samples": [
                            {
                                "labels": f'{{__name__="{rules.PREVIEW_AGE}", '
                                'exported_namespace="flux-system", name="wildside-pr-1", pr="1"}',
                                "value": 3600,
                            }
                        ],
                    },
                ],
            },
            {
                "interval": "1m",
                "input_series": [info(pr) for pr in range(1, near + 1)],
                "alert_rule_test": [
                    _alert("PreviewsNearCap", "5m", severity="warning", scope="capacity"),
                    _alert("PreviewsNearCap", "15m", {}, severity="warning", scope="capacity"),
                    _alert("PreviewsAtCap", "15m", severity="critical", scope="capacity"),
                ],
            },
            {
                "interval": "1m",
                "input_series": [info(pr) for pr in range(1, cap + 1)],
                "alert_rule_test": [
                    _alert("PreviewsAtCap", "10m", {}, severity="critical", scope="capacity"),
                ],
                "promql_expr_test": [
                    {
                        "expr": rules.PREVIEWS_COUNT,
                        "eval_time": "1m",
                        "exp_samples": [
                            {"labels": f'{{__name__="{rules.PREVIEWS_COUNT}"}}', "value": cap}
                        ],
                    }
                ],
            },
        ],
    }
    run_rule_tests(write_yaml(tmp_path / "previews-test.yaml", tests))


def test_vault_rules_only_when_vault_is_scraped(settings: MonitoringSettings) -> None:
    without = settings.model_copy(update={"vault_address": None, "vault_ca_certificate": None})
    assert "wildside.vault" not in rules.alerts(without)
    assert "wildside.vault" in rules.alerts(settings)
