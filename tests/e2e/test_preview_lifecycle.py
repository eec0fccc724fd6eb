"""Previews reconciled for real: `wildside apps init` and `preview up/down`
write the apps repository; Flux (source-, kustomize-, helm-controller) builds
and applies it on a real API server; kwok runs the pods."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from support.cluster import Cluster, wait_until
from support.gitops_env import PREVIEW_DOMAIN, AppsEnvironment, namespace_gone

SHA_A = "a" * 40
SHA_B = "b" * 40
SHA_C = "c" * 40


def deployment(cluster: Cluster, pr: int, component: str) -> dict[str, Any] | None:
    return cluster.get(
        f"/apis/apps/v1/namespaces/wildside-pr-{pr}/deployments/wildside-{component}"
    )


def image_tag(obj: dict[str, Any] | None) -> str | None:
    if not obj:
        return None
    image = str(obj["spec"]["template"]["spec"]["containers"][0]["image"])
    return image.rsplit(":", 1)[-1]


def rolled_out(cluster: Cluster, pr: int, sha: str) -> bool:
    """Every component runs the SHA: the Deployment's new pods are all Ready."""
    for component in ("backend", "frontend"):
        obj = deployment(cluster, pr, component)
        if image_tag(obj) != sha or not obj:
            return False
        status, want = obj.get("status", {}), obj["spec"].get("replicas", 1)
        if status.get("observedGeneration", 0) < obj["metadata"]["generation"]:
            return False
        if (status.get("updatedReplicas"), status.get("readyReplicas")) != (want, want):
            return False
        if status.get("replicas", 0) != want:  # old pods gone
            return False
    pods = cluster.items(f"/api/v1/namespaces/wildside-pr-{pr}/pods")
    return bool(pods) and all(
        (cluster.condition(p) or {}).get("status") == "True"
        and image_tag({"spec": {"template": p}}) == sha
        for p in pods
        if not p["metadata"].get("deletionTimestamp")
    )


def wait_for_preview(apps: AppsEnvironment, pr: int, revision: str) -> None:
    wait_until(
        lambda: apps.preview_ready(pr, revision),
        timeout=240,
        what=f"preview {pr}'s Flux Kustomization to be Ready",
        detail=lambda: apps.describe(pr),
    )


def assert_preview_objects(cluster: Cluster, pr: int) -> None:
    ns = f"wildside-pr-{pr}"
    namespace = cluster.get(f"/api/v1/namespaces/{ns}")
    assert namespace and namespace["metadata"]["labels"]["previews.wildside.dev/pr"] == str(pr)
    policies = {
        p["metadata"]["name"]
        for p in cluster.items(f"/apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies")
    }
    assert "default-deny-ingress" in policies, policies
    assert "allow-from-ingress-controller" in policies, policies
    assert cluster.items(f"/api/v1/namespaces/{ns}/resourcequotas"), "no ResourceQuota"
    assert cluster.items(f"/api/v1/namespaces/{ns}/limitranges"), "no LimitRange"
    release = cluster.get(f"/apis/helm.toolkit.fluxcd.io/v2/namespaces/{ns}/helmreleases/wildside")
    assert release and cluster.is_ready(
        f"/apis/helm.toolkit.fluxcd.io/v2/namespaces/{ns}/helmreleases/wildside"
    )
    ingress = cluster.get(f"/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses/wildside")
    assert ingress, "the chart's Ingress is missing"
    assert ingress["spec"]["rules"][0]["host"] == f"pr-{pr}.{PREVIEW_DOMAIN}"
    pods = cluster.items(f"/api/v1/namespaces/{ns}/pods")
    assert pods, "no pods"
    for pod in pods:
        assert pod["spec"]["nodeName"].startswith("previews-"), "preview pod off the previews pool"


def test_two_previews_reconcile_roll_and_prune(cluster: Cluster, apps: AppsEnvironment) -> None:
    apps.preview("up", "--pr", "101", "--sha", SHA_A)
    apps.preview("up", "--pr", "102", "--sha", SHA_B)
    revision = apps.sync()
    for pr, sha in ((101, SHA_A), (102, SHA_B)):
        wait_for_preview(apps, pr, revision)
        assert_preview_objects(cluster, pr)
        assert rolled_out(cluster, pr, sha), f"preview {pr} does not run {sha}"

    # A new commit on the pull request rolls its Deployments, and only its.
    apps.preview("up", "--pr", "101", "--sha", SHA_C)
    revision = apps.sync()
    wait_until(
        lambda: rolled_out(cluster, 101, SHA_C) and apps.preview_ready(101, revision),
        timeout=180,
        what="preview 101 to roll out the new SHA",
        detail=lambda: apps.describe(101),
    )
    assert image_tag(deployment(cluster, 102, "backend")) == SHA_B

    # down: the entry leaves overlays/ephemeral, Flux prunes everything.
    apps.preview("down", "--pr", "101")
    apps.sync()
    wait_until(
        lambda: (
            namespace_gone(cluster, "wildside-pr-101")
            and cluster.get(apps.kustomization("wildside-pr-101")) is None
        ),
        timeout=180,
        what="preview 101's namespace and Kustomization to be gone",
        detail=lambda: apps.describe(101),
    )
    assert apps.preview_ready(102), "tearing down 101 disturbed 102"
    apps.preview("down", "--pr", "102")


def break_values(apps: AppsEnvironment, workdir: Path, pr: int) -> None:
    """A hand edit that the chart's values schema rejects (replicas must be an integer)."""
    checkout = workdir / "checkout"
    subprocess.run(["git", "clone", "-q", str(apps.repo), str(checkout)], check=True)
    patch = checkout / "overlays" / "ephemeral" / f"pr-{pr}" / "patch-helmrelease-values.yaml"
    document = yaml.safe_load(patch.read_text())
    document["spec"]["values"]["backend"]["replicas"] = "two"
    patch.write_text(yaml.safe_dump(document, sort_keys=False))
    git = ["git", "-C", str(checkout), "-c", "user.name=e2e", "-c", "user.email=e2e@example.test"]
    subprocess.run([*git, "commit", "-qam", f"break preview {pr}"], check=True)
    subprocess.run([*git, "push", "-q", "origin", "HEAD:main"], check=True)


def test_a_broken_preview_fails_alone(
    cluster: Cluster, apps: AppsEnvironment, tmp_path: Path
) -> None:
    apps.preview("up", "--pr", "103", "--sha", SHA_A)
    break_values(apps, tmp_path, 103)
    apps.preview("up", "--pr", "104", "--sha", SHA_B)
    revision = apps.sync()

    wait_for_preview(apps, 104, revision)
    assert rolled_out(cluster, 104, SHA_B)

    release = "/apis/helm.toolkit.fluxcd.io/v2/namespaces/wildside-pr-103/helmreleases/wildside"

    def failed() -> str | None:
        ready = cluster.condition(cluster.get(release))
        if ready and ready["status"] == "False" and "schema" in ready.get("message", ""):
            return str(ready["message"])
        return None

    message = wait_until(
        failed,
        timeout=120,
        what="preview 103's HelmRelease to fail on its values",
        detail=lambda: apps.describe(103),
    )
    assert "replicas" in message
    assert not apps.preview_ready(103)
    assert cluster.is_ready(apps.kustomization("previews")), "one broken preview blocked the rest"
    assert deployment(cluster, 103, "backend") is None

    apps.preview("down", "--pr", "103")
    apps.preview("down", "--pr", "104")
    apps.sync()
    wait_until(
        lambda: namespace_gone(cluster, "wildside-pr-104"),
        timeout=180,
        what="the healthy preview 104 to be pruned",
        detail=lambda: apps.describe(104),
    )
    # The broken one is being deleted, but kustomize-controller prunes it only
    # when its running health check gives up (the preview Kustomization's
    # timeout, 10m): helm-controller keeps retrying the failed install
    # (Reconciling=True), which kstatus reads as "in progress", not "failed".
    wait_until(
        lambda: (
            (cluster.get(apps.kustomization("wildside-pr-103")) or {})
            .get("metadata", {})
            .get("deletionTimestamp")
        ),
        timeout=60,
        what="Flux to start deleting the broken preview 103",
    )
