"""The three example clusters rendered, and an apps repository with previews
written by the real CLI: everything each cluster runs is cross-referenced
(tests/support/crossref.py). Every host has a certificate and a DNS record,
every scrape target is reachable, every namespace declares Pod Security and
preview pods pass `restricted`. The checks are shown to bite, and the
placement rules refuse what would make them fail."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from support import crossref
from support.cluster_objects import PREVIEW_DOMAIN, apps_repository, runs_on
from support.platform_tree import CLUSTERS, EXAMPLES, render_into
from support.pod_security import restricted_violations
from support.tools import REPO_ROOT

# The app namespaces each cluster runs: the long-lived overlays `apps init`
# writes, and the previews on the cluster that hosts them.
APP_NAMESPACES = {
    "dev": {"wildside-pr-7", "wildside-pr-8"},
    "staging": {"wildside-staging"},
    "production": {"wildside-production"},
}
EXPECTED_HOSTS = {
    "dev": {
        "pr-7.previews.dev.example.com",
        "pr-8.previews.dev.example.com",
        "grafana.previews.dev.example.com",
        "flux-webhook.previews.dev.example.com",
    },
    "staging": {
        "staging.wildside.example.com",
        "grafana.previews.staging.example.com",
        "flux-webhook.previews.staging.example.com",
    },
    "production": {
        "wildside.example.com",
        "grafana.previews.example.com",
        "flux-webhook.previews.example.com",
    },
}


@pytest.fixture(scope="module")
def apps_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return apps_repository(tmp_path_factory.mktemp("apps"), PREVIEW_DOMAIN)


@pytest.fixture(scope="module")
def cluster_objects(rendered_tree: Path, apps_checkout: Path) -> dict[str, list[dict[str, Any]]]:
    return {cluster: runs_on(rendered_tree, cluster, apps_checkout) for cluster in CLUSTERS}


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_every_host_has_a_certificate_and_a_dns_record(
    cluster_objects: dict[str, list[dict[str, Any]]], cluster: str
) -> None:
    objects = cluster_objects[cluster]
    hosts = {
        host for host, _, _ in crossref.served_hosts(objects + crossref.chart_ingresses(objects))
    }
    assert hosts == EXPECTED_HOSTS[cluster]
    assert crossref.host_problems(objects) == []


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_scrape_targets_are_reachable(
    cluster_objects: dict[str, list[dict[str, Any]]], cluster: str
) -> None:
    problems, checked = crossref.scrape_problems(cluster_objects[cluster])
    assert problems == []
    assert "wildside" in checked, "the app's PodMonitor was checked against the app's pods"


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_every_namespace_declares_pod_security(
    cluster_objects: dict[str, list[dict[str, Any]]], cluster: str
) -> None:
    objects = cluster_objects[cluster]
    namespaces = {n["metadata"]["name"] for n in crossref.kind(objects, "Namespace")}
    assert {"traefik", "monitoring", "monitoring-node-exporter"} <= namespaces
    assert APP_NAMESPACES[cluster] <= namespaces
    assert crossref.namespace_problems(objects) == []


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_app_pods_pass_restricted(
    cluster_objects: dict[str, list[dict[str, Any]]], cluster: str
) -> None:
    """Previews run pull-request code; the long-lived environments are held
    to the same profile, so what passed as a preview deploys unchanged."""
    objects = cluster_objects[cluster]
    apps = {
        n["metadata"]["name"]: n
        for n in crossref.kind(objects, "Namespace")
        if n["metadata"]["name"].startswith("wildside-")
    }
    assert set(apps) == APP_NAMESPACES[cluster]
    for namespace in apps.values():
        assert namespace["metadata"]["labels"][crossref.ENFORCE] == "restricted"
    checked = 0
    for namespace_name, pod in crossref.pods(objects):
        if namespace_name in apps:
            assert restricted_violations(pod["spec"]) == [], (namespace_name, pod["metadata"])
            checked += 1
    # backend and frontend in each namespace (and preview 8's database role Job)
    assert checked >= 2 * len(apps)


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_the_valkey_pod_monitor_has_a_target(
    cluster_objects: dict[str, list[dict[str, Any]]], cluster: str
) -> None:
    """The valkey chart is not rendered offline, so this reads the values: its
    deployment template adds the exporter container, with a container port
    named `metrics`, only when `metrics.enabled` is set (it was not, so the
    PodMonitor scraped nothing). The exporter runs in the `restricted` redis
    namespace beside the chart's pod defaults (non-root, RuntimeDefault)."""
    objects = cluster_objects[cluster]
    (monitor,) = [
        m for m in crossref.kind(objects, "PodMonitor") if m["metadata"]["name"] == "valkey"
    ]
    (release,) = [
        r for r in crossref.kind(objects, "HelmRelease") if r["metadata"]["name"] == "valkey"
    ]
    assert monitor["spec"]["selector"] == {"matchLabels": {"app.kubernetes.io/name": "valkey"}}
    assert monitor["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"
    metrics = release["spec"]["values"]["metrics"]
    assert metrics["enabled"] is True
    exporter = {"name": "metrics", "securityContext": metrics["exporter"]["securityContext"]}
    chart_pod_defaults = {"runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}}
    assert (
        restricted_violations({"securityContext": chart_pod_defaults, "containers": [exporter]})
        == []
    )
    (namespace,) = [
        n for n in crossref.kind(objects, "Namespace") if n["metadata"]["name"] == "redis"
    ]
    assert namespace["metadata"]["labels"][crossref.ENFORCE] == "restricted"
    assert (
        not [  # nothing isolates the redis pods from Prometheus
            p
            for p in crossref.kind(objects, "NetworkPolicy")
            if p["metadata"].get("namespace") == "redis"
        ]
    )


def test_the_checks_find_what_is_missing(cluster_objects: dict[str, list[dict[str, Any]]]) -> None:
    production = copy.deepcopy(cluster_objects["production"])
    without_certificate = [
        o
        for o in production
        if not (o["kind"] == "Certificate" and o["metadata"]["name"].startswith("host-"))
    ]
    assert any(
        "wildside.example.com" in p and "Certificate" in p
        for p in crossref.host_problems(without_certificate)
    )
    for release in crossref.kind(production, "HelmRelease"):
        if release["metadata"]["name"] == "traefik":
            release["spec"]["values"]["service"]["annotations"].pop(crossref.HOSTNAME_ANNOTATION)
    assert any("no DNS record" in p for p in crossref.host_problems(production))

    dev = [
        o
        for o in cluster_objects["dev"]
        if o.get("metadata", {}).get("name") != "allow-metrics-from-monitoring"
    ]
    problems, _ = crossref.scrape_problems(dev)
    assert any("admits the monitoring namespace" in p for p in problems)
    renamed = copy.deepcopy(cluster_objects["dev"])
    for monitor in crossref.kind(renamed, "PodMonitor"):
        if monitor["metadata"]["name"] == "wildside":
            monitor["spec"]["podMetricsEndpoints"][0]["port"] = "prometheus"
    problems, _ = crossref.scrape_problems(renamed)
    assert any("no pod it selects has a port named 'prometheus'" in p for p in problems)


def test_an_app_namespace_as_apps_init_wrote_it_before_is_found(
    cluster_objects: dict[str, list[dict[str, Any]]],
) -> None:
    """`apps init` used to write the long-lived namespaces bare: no Pod
    Security level, no NetworkPolicy admitting Prometheus once one isolates them."""
    production = copy.deepcopy(cluster_objects["production"])
    for namespace in crossref.kind(production, "Namespace"):
        if namespace["metadata"]["name"] == "wildside-production":
            namespace["metadata"].pop("labels")
    assert crossref.namespace_problems(production) == [
        "namespace wildside-production declares no Pod Security level"
    ]
    isolated_only = [
        o
        for o in production
        if not (
            o["kind"] == "NetworkPolicy"
            and o["metadata"]["name"] == "allow-metrics-from-monitoring"
        )
    ]
    problems, _ = crossref.scrape_problems(isolated_only)
    assert problems and set(problems) == {
        "PodMonitor monitoring/wildside: no NetworkPolicy in wildside-production admits the "
        "monitoring namespace to port 'metrics'"
    }


def test_apps_config_agrees_with_the_clusters(apps_checkout: Path, tmp_path: Path) -> None:
    output = tmp_path / "tree"
    config = apps_checkout / "wildside.yaml"
    agreed = render_into(output, EXAMPLES, "--apps-config", str(config))
    assert agreed.returncode == 0, agreed.stderr
    other = tmp_path / "wildside.yaml"
    document = yaml.safe_load(config.read_text())
    for key, value, named in (
        ("preview_domain", "previews.example.com", "cluster dev"),
        ("production_host", "www.example.com", "cluster production"),
    ):
        other.write_text(yaml.safe_dump({**document, key: value}))
        refused = render_into(tmp_path / "refused", EXAMPLES, "--apps-config", str(other))
        assert refused.returncode == 2, refused.stderr
        assert refused.stderr.count("\n") == 1 and key in refused.stderr and named in refused.stderr
        assert not (tmp_path / "refused").exists()
    missing = render_into(
        tmp_path / "refused", EXAMPLES, "--apps-config", str(tmp_path / "no.yaml")
    )
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert "is not a file" in missing.stderr and not (tmp_path / "refused").exists()


def test_two_clusters_cannot_host_the_same_previews(config_dir: Path, tmp_path: Path) -> None:
    staging = config_dir / "staging.yaml"
    staging.write_text(
        staging.read_text()
        .replace("hosts_previews: false", "hosts_previews: true")
        # the same repository, written another way
        .replace(
            "url: https://github.com/example/wildside-apps",
            "url: ssh://github.com/Example/wildside-apps.git",
        )
    )
    for args in (["--all"], ["--cluster", "dev"]):  # checked across configs, rendered or not
        completed = subprocess.run(
            [
                str(REPO_ROOT / ".venv" / "bin" / "wildside"),
                "platform", "render", *args,
                "--config-dir", str(config_dir), "--output", str(tmp_path / "out"),
            ],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert completed.returncode == 2, completed.stderr
        assert "dev.yaml and staging.yaml both host the previews" in completed.stderr
        assert not (tmp_path / "out").exists()
    own_branch = staging.read_text().replace("branch: main", "branch: previews-staging")
    staging.write_text(own_branch)
    assert render_into(tmp_path / "out", config_dir).returncode == 0


def test_a_host_served_twice_is_refused(config_dir: Path, tmp_path: Path) -> None:
    dev = config_dir / "dev.yaml"
    dev.write_text(
        dev.read_text().replace(
            "  monitoring: {}",
            "  monitoring:\n    grafana_host: flux-webhook.previews.dev.example.com",
        )
    )
    completed = render_into(tmp_path / "out", config_dir)
    assert completed.returncode == 2 and completed.stderr.count("\n") == 1
    assert "flux-webhook.previews.dev.example.com is served twice" in completed.stderr


def test_an_unknown_issuer_is_refused(config_dir: Path, tmp_path: Path) -> None:
    dev = config_dir / "dev.yaml"
    dev.write_text(
        dev.read_text().replace(
            "  monitoring: {}", "  monitoring:\n    grafana_tls_issuer: letsencrypt"
        )
    )
    completed = render_into(tmp_path / "out", config_dir)
    assert completed.returncode == 2
    assert "'letsencrypt'" in completed.stderr and "letsencrypt-production" in completed.stderr
