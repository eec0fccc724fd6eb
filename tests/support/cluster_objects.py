"""Everything one cluster runs, as objects: its platform layers (kustomize +
Flux substitution) and the apps overlays it reconciles, followed through
their Flux Kustomizations, with each app HelmRelease rendered by the real
Helm (helm-python-sdk) from the example chart. The apps repository is
written by the real CLI (`apps init`, `preview up`)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import helm_python as helm
import yaml

from support.platform_tree import flux_layers, kustomize_text
from support.tools import REPO_ROOT

CHART = REPO_ROOT / "charts" / "wildside"
SHA = "0123456789abcdef0123456789abcdef01234567"
PREVIEW_DOMAIN = "previews.dev.example.com"  # dev's wildcard: dev hosts the previews
APPS_SOURCE = "wildside-apps"


def apps_repository(root: Path, preview_domain: str) -> Path:
    """A checkout of wildside-apps with previews 7 and 8 (8 with a database)."""
    remote = root / "apps.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    repo = ["--repo", str(remote), "--quiet"]
    for step in (
        ["apps", "init", *repo, "--preview-domain", preview_domain],
        ["preview", "up", *repo, "--pr", "7", "--sha", SHA],
        ["preview", "up", *repo, "--pr", "8", "--sha", SHA, "--database"],
    ):
        completed = subprocess.run(
            [str(REPO_ROOT / ".venv" / "bin" / "wildside"), *step],
            cwd=root, capture_output=True, text=True, check=False,
            env={"PATH": "/usr/bin:/bin", "HOME": str(root), "WILDSIDE_CACHE_DIR": str(root / "cache")},
        )  # fmt: skip
        assert completed.returncode == 0, completed.stderr
    checkout = root / "checkout"
    subprocess.run(["git", "clone", "-q", str(remote), str(checkout)], check=True)
    return checkout


def chart_objects(release: dict[str, Any]) -> list[dict[str, Any]]:
    """What helm-controller installs for an app HelmRelease (the example chart)."""
    namespace = release["metadata"]["namespace"]
    manifests = helm.Chart.load(str(CHART)).render(
        release["spec"].get("values") or {}, name=release["metadata"]["name"], namespace=namespace
    )
    objects = [doc for text in manifests.values() for doc in yaml.safe_load_all(text) if doc]
    for obj in objects:
        obj["metadata"].setdefault("namespace", namespace)
    return objects


def apps_objects(checkout: Path, kustomizations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Follow the Flux Kustomizations that read wildside-apps, as Flux would."""
    objects: list[dict[str, Any]] = []
    pending = [k for k in kustomizations if k["spec"]["sourceRef"]["name"] == APPS_SOURCE]
    while pending:
        spec = pending.pop()["spec"]
        for obj in yaml.safe_load_all(kustomize_text(checkout / spec["path"])):
            if not obj:
                continue
            if obj["kind"] == "Kustomization" and obj["apiVersion"].startswith("kustomize.toolkit"):
                pending.append(obj)
            objects.append(obj)
            if obj["kind"] == "HelmRelease":
                objects.extend(chart_objects(obj))
    return objects


def runs_on(tree: Path, cluster: str, checkout: Path) -> list[dict[str, Any]]:
    """Everything `cluster` runs: its entry point, its platform layers, its apps overlays."""
    platform = [obj for layer in flux_layers(tree, cluster) for obj in layer.objects]
    entry = [d for d in yaml.safe_load_all(kustomize_text(tree / "clusters" / cluster)) if d]
    flux = [o for o in platform + entry if o["kind"] == "Kustomization" and "spec" in o]
    return entry + platform + apps_objects(checkout, flux)
