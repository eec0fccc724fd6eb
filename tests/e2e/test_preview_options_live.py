"""The preview record through Flux: a preview made with an image override,
extra values, a TTL and a pin, then the workflow's plain `up` (only a new
SHA). Flux reconciles both commits on the real API server and kwok runs the
pods: the second keeps the override, the extra values and the pin, and
changes only the tag. The defect was a re-run falling back to the default
image and TTL while keeping the pin. `--reset-options` then brings back the
defaults, and `down` prunes the lot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.cluster import Cluster, wait_until
from support.gitops_env import AppsEnvironment, namespace_gone

PR = 111
NAMESPACE = f"wildside-pr-{PR}"
FORK = "ghcr.io/acme/backend-fork"
SHA_A = "1" * 40
SHA_B = "2" * 40
SHA_C = "3" * 40


def backend(cluster: Cluster) -> dict[str, Any] | None:
    return cluster.get(f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/wildside-backend")


def running(
    cluster: Cluster, apps: AppsEnvironment, revision: str, image: str, replicas: int
) -> bool:
    """The preview's Kustomization applied `revision` and the backend runs
    `image` with `replicas` Ready pods, the old ones gone."""

    def check() -> bool:
        obj = backend(cluster)
        if not obj or not apps.preview_ready(PR, revision):
            return False
        container = obj["spec"]["template"]["spec"]["containers"][0]
        status = obj.get("status", {})
        return (
            container["image"] == image
            and obj["spec"].get("replicas") == replicas
            and status.get("observedGeneration", 0) >= obj["metadata"]["generation"]
            and status.get("updatedReplicas") == replicas
            and status.get("readyReplicas") == replicas
            and status.get("replicas") == replicas
        )

    return wait_until(
        check,
        timeout=240,
        what=f"preview {PR} to run {image} x{replicas} at {revision[:12]}",
        detail=lambda: apps.describe(PR),
    )


def test_options_persist_through_flux_until_reset(
    cluster: Cluster, apps: AppsEnvironment, tmp_path: Path
) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text("backend:\n  replicas: 2\n")
    first = apps.preview(
        "up", "--pr", str(PR), "--sha", SHA_A, "--image", f"backend={FORK}",
        "--values", str(extra), "--ttl", "72h", "--pin",
    )  # fmt: skip
    running(cluster, apps, apps.sync(), f"{FORK}:{SHA_A}", 2)

    plain = apps.preview("up", "--pr", str(PR), "--sha", SHA_B)
    assert plain["options"] == first["options"]
    running(cluster, apps, apps.sync(), f"{FORK}:{SHA_B}", 2)
    namespace = (cluster.get(f"/api/v1/namespaces/{NAMESPACE}") or {})["metadata"]
    assert namespace["labels"]["previews.wildside.dev/pinned"] == "true"
    assert namespace["labels"]["previews.wildside.dev/sha"] == SHA_B
    assert namespace["annotations"]["previews.wildside.dev/ttl"] == "3d"
    frontend = cluster.get(f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/wildside-frontend")
    image = (frontend or {})["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == f"ghcr.io/wildside/wildside-frontend:{SHA_B}"

    reset = apps.preview("up", "--pr", str(PR), "--sha", SHA_C, "--reset-options")
    assert reset["options"]["images"] == {} and reset["pinned"] is False
    running(cluster, apps, apps.sync(), f"ghcr.io/wildside/wildside-backend:{SHA_C}", 1)
    labels = (cluster.get(f"/api/v1/namespaces/{NAMESPACE}") or {})["metadata"]["labels"]
    assert labels["previews.wildside.dev/pinned"] == "false"

    apps.preview("down", "--pr", str(PR))
    apps.sync()
    wait_until(
        lambda: namespace_gone(cluster, NAMESPACE),
        timeout=180,
        what=f"preview {PR}'s namespace to be pruned",
        detail=lambda: apps.describe(PR),
    )
