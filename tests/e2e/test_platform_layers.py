"""The platform's Flux layering on a real cluster: bootstrapped the way
infra/modules/fluxcd bootstraps it (a GitRepository and a Kustomization both
named flux-system, pointed at clusters/<cluster> of wildside-infra), the
entry point applies the five layers and Flux holds each one back until the
layer it dependsOn is Ready. First the defect that naming fixed: the
flux2-sync chart names its GitRepository after the Helm release, and a
release named "flux2-sync" leaves every layer without its source.

How far this goes offline, and why: the sources layer applies the Helm
repositories of Traefik, cert-manager, External Secrets, CloudNativePG,
ExternalDNS, Valkey and prometheus-community, which live on the Internet.
source-controller cannot fetch their indexes here, so the sources layer never
becomes Ready, and controllers → configs → apps → previews stay held back.
This test asserts exactly that, with the fetch error as the reason; it does
not fake a chart repository. What the later layers would apply is proven by
test_server_dry_run.py (server-side dry run with the real CRDs), and the
previews layer's own reconciliation by test_preview_lifecycle.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.cluster import FLUX_NAMESPACE, Cluster, HarnessError, start, stop, wait_until
from support.gitops_env import wildside

LAYERS = [
    "platform-sources",
    "platform-controllers",
    "platform-configs",
    "platform-apps",
    "previews",
]
KUSTOMIZATIONS = f"/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/{FLUX_NAMESPACE}/kustomizations"


def flux2_sync_release(release: str, url: str) -> list[dict[str, Any]]:
    """What infra/modules/fluxcd's flux2-sync release creates: the chart names
    both the GitRepository and the Kustomization after the Helm release
    (templates/flux-gitrepository.yaml has no name value at all)."""
    return [
        {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": {"name": release, "namespace": FLUX_NAMESPACE},
            "spec": {"interval": "1m", "url": url, "ref": {"branch": "main"}},
        },
        {
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": release, "namespace": FLUX_NAMESPACE},
            "spec": {
                "interval": "10m",
                "path": "./clusters/dev",
                "prune": True,
                "sourceRef": {"kind": "GitRepository", "name": release},
            },
        },
    ]


@pytest.fixture(scope="module")
def platform_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A cluster of its own: the layers claim names (the wildside-apps
    GitRepository, the previews Kustomization) that the preview tests'
    cluster uses with the dependency on the platform layers removed."""
    state = tmp_path_factory.mktemp("platform-cluster")
    try:
        live = start(state)
    except HarnessError as error:
        pytest.fail(f"the live cluster did not start: {error}")
    yield live
    live.close()
    stop(state)


def test_layers_reconcile_in_depends_on_order(platform_cluster: Cluster, tmp_path: Path) -> None:
    cluster = platform_cluster
    env = {"WILDSIDE_CACHE_DIR": str(tmp_path / "cache")}
    apps_repo, apps_url = cluster.bare_repo("wildside-apps")
    wildside("apps", "init", "--repo", str(apps_repo), env=env)
    infra_repo, infra_url = cluster.bare_repo("wildside-infra")

    # The operator's step: a cluster config whose apps repository is ours.
    config_dir = tmp_path / "clusters"
    config_dir.mkdir()
    dev = (Path(__file__).parents[2] / "examples" / "clusters" / "dev.yaml").read_text()
    dev = dev.replace("https://github.com/example/wildside-apps", apps_url)
    (config_dir / "dev.yaml").write_text(dev)
    wildside(
        "platform", "render", "--cluster", "dev", "--config-dir", str(config_dir),
        "--repo", str(infra_repo), env=env,
    )  # fmt: skip

    def status() -> str:
        return json.dumps(
            {k["metadata"]["name"]: cluster.condition(k) for k in cluster.items(KUSTOMIZATIONS)},
            indent=1,
        )

    # The defect first: a release named "flux2-sync" (the module's old name)
    # applies clusters/dev, but every layer reads GitRepository flux-system.
    cluster.apply(flux2_sync_release("flux2-sync", infra_url))
    wait_until(
        lambda: cluster.is_ready(f"{KUSTOMIZATIONS}/flux2-sync"),
        timeout=120,
        what="the flux2-sync Kustomization (clusters/dev) to apply",
        detail=status,
    )

    def source_missing() -> str | None:
        ready = cluster.condition(cluster.get(f"{KUSTOMIZATIONS}/platform-sources"))
        message = str((ready or {}).get("message", ""))
        return message if ready and '"flux-system" not found' in message else None

    wait_until(
        source_missing, timeout=60, what="platform-sources to miss its source", detail=status
    )
    cluster.kubectl("-n", FLUX_NAMESPACE, "delete", "kustomization", "flux2-sync", "--wait=false")
    wait_until(
        lambda: not cluster.items(KUSTOMIZATIONS),
        timeout=120,
        what="the old release's Kustomizations to be pruned",
        detail=status,
    )
    cluster.kubectl("-n", FLUX_NAMESPACE, "delete", "gitrepository", "flux2-sync")

    # The fix: the release is named flux-system, what the renderer references.
    cluster.apply(flux2_sync_release("flux-system", infra_url))

    wait_until(
        lambda: cluster.is_ready(f"{KUSTOMIZATIONS}/flux-system"),
        timeout=120,
        what="the flux-system Kustomization (clusters/dev) to apply",
        detail=status,
    )
    names = {k["metadata"]["name"] for k in cluster.items(KUSTOMIZATIONS)}
    assert set(LAYERS) <= names, names
    vars_map = cluster.get(f"/api/v1/namespaces/{FLUX_NAMESPACE}/configmaps/cluster-vars")
    assert vars_map and vars_map["data"]["apps_url"] == apps_url

    # sources: applied; its Helm repositories cannot be fetched offline.
    helm_repositories = (
        f"/apis/source.toolkit.fluxcd.io/v1/namespaces/{FLUX_NAMESPACE}/helmrepositories"
    )

    def sources_failing_offline() -> list[str] | None:
        repos = cluster.items(helm_repositories)
        if len(repos) < 7:
            return None
        reasons = [cluster.condition(r) for r in repos]
        if all(r and r["status"] == "False" for r in reasons):
            return [str(r["message"]) for r in reasons if r]
        return None

    messages = wait_until(
        sources_failing_offline,
        timeout=120,
        what="source-controller to try every platform Helm repository",
        detail=lambda: json.dumps([r.get("status") for r in cluster.items(helm_repositories)]),
    )
    assert all("index" in m or "dial" in m or "lookup" in m for m in messages), messages
    sources = cluster.get(f"{KUSTOMIZATIONS}/platform-sources")
    assert sources and not cluster.is_ready(f"{KUSTOMIZATIONS}/platform-sources")

    # Every later layer waits for the one before it and applies nothing yet.
    # `previews` reads the wildside-apps GitRepository that the apps layer
    # creates, so Flux stops it one step earlier: its source does not exist.
    def held_back() -> bool:
        for layer, dependency in zip(LAYERS[1:], LAYERS, strict=False):
            ready = cluster.condition(cluster.get(f"{KUSTOMIZATIONS}/{layer}"))
            if not ready or ready["status"] == "True":
                return False
            message = ready.get("message", "")
            waits = ready.get("reason") == "DependencyNotReady" and dependency in message
            no_source = (
                layer == "previews"
                and ready.get("reason") == "ArtifactFailed"
                and '"wildside-apps" not found' in message
            )
            if not (waits or no_source):
                return False
        return True

    wait_until(held_back, timeout=120, what="each layer to wait for its dependency", detail=status)
    assert cluster.get("/api/v1/namespaces/cert-manager") is None, "controllers applied too early"
    assert (
        cluster.get(
            f"/apis/source.toolkit.fluxcd.io/v1/namespaces/{FLUX_NAMESPACE}/gitrepositories/wildside-apps"
        )
        is None
    ), "the apps layer applied before its dependencies"
