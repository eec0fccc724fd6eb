"""Every rendered object passes a server-side dry-run apply against the real
API server with the real CRDs (CEL rules, defaults, immutability and
admission included), which the JSON Schema tier cannot check: the three
example clusters' platform trees and the apps repository."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.cluster import Cluster
from support.gitops_env import wildside
from support.platform_tree import CLUSTERS, flux_layers, kustomize_text, render_into

SHA_1 = "1" * 40
SHA_2 = "2" * 40


def dry_run(cluster: Cluster, objects: list[dict[str, Any]], what: str) -> None:
    """Create the namespaces for real (a dry run cannot place an object in a
    namespace that does not exist yet), then dry-run everything."""
    namespaces = [o for o in objects if o.get("kind") == "Namespace"]
    if namespaces:
        cluster.apply(namespaces)
    completed = cluster.kubectl(
        "apply", "--server-side", "--dry-run=server", "--field-manager=wildside-e2e",
        "-f", "-",
        input=yaml.safe_dump_all(objects), check=False,
    )  # fmt: skip
    assert completed.returncode == 0, f"server-side dry run of {what} failed:\n{completed.stderr}"
    assert completed.stdout.count("(server dry run)") == len(objects), completed.stdout


@pytest.fixture(scope="module")
def platform_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("platform")
    completed = render_into(tree)
    assert completed.returncode == 0, completed.stderr
    return tree


@pytest.mark.parametrize("name", CLUSTERS)
def test_platform_tree_passes_server_side_dry_run(
    cluster: Cluster, platform_tree: Path, name: str
) -> None:
    entry = [
        doc for doc in yaml.safe_load_all(kustomize_text(platform_tree / "clusters" / name)) if doc
    ]
    dry_run(cluster, entry, f"clusters/{name}")
    layers = flux_layers(platform_tree, name)
    assert [layer.name for layer in layers][:2] == ["platform-sources", "platform-controllers"]
    for layer in layers:
        dry_run(cluster, layer.objects, f"{name}/{layer.name} ({layer.path})")


def build(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(kustomize_text(path)) if doc]


def test_apps_repository_passes_server_side_dry_run(cluster: Cluster, tmp_path: Path) -> None:
    remote = tmp_path / "apps.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    env = {"WILDSIDE_CACHE_DIR": str(tmp_path / "cache")}
    repo = ["--repo", str(remote)]
    wildside("apps", "init", *repo, env=env)
    wildside("preview", "up", *repo, "--pr", "7", "--sha", SHA_1, env=env)
    wildside("preview", "up", *repo, "--pr", "8", "--sha", SHA_1, "--database", env=env)
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(remote), str(checkout)], check=True)
    for overlay in (
        "overlays/production",
        "overlays/staging",
        "overlays/ephemeral",
        "overlays/ephemeral/pr-7",
        "overlays/ephemeral/pr-8",
    ):
        dry_run(cluster, build(checkout / overlay), overlay)


def test_a_preview_update_applies_over_the_previous_one(cluster: Cluster, tmp_path: Path) -> None:
    """The objects of a preview, applied for real, then its next commit (new
    SHA, new TTL) applied over them: nothing may touch an immutable field
    (a Job's pod template)."""
    remote = tmp_path / "apps.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    env = {"WILDSIDE_CACHE_DIR": str(tmp_path / "cache")}
    repo = ["--repo", str(remote)]
    wildside("apps", "init", *repo, env=env)
    up = ["preview", "up", *repo, "--pr", "9", "--database"]
    wildside(*up, "--sha", SHA_1, env=env)
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(remote), str(checkout)], check=True)
    first = build(checkout / "overlays/ephemeral/pr-9")
    namespaces = {o["metadata"].get("namespace") for o in first} - {None}
    cluster.apply(
        [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in namespaces]
    )
    cluster.apply(first)

    wildside(*up, "--sha", SHA_2, "--ttl", "72h", env=env)
    subprocess.run(["git", "-C", str(checkout), "pull", "-q"], check=True)
    second = build(checkout / "overlays/ephemeral/pr-9")
    assert second != first
    dry_run(cluster, second, "the second commit of preview 9")
