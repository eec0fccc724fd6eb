"""Helpers for the platform tree tests: render the example clusters and
build what Flux would apply (kubectl kustomize + Flux substitution)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from support.flux_substitute import substitute
from support.tools import REPO_ROOT, require_tool

EXAMPLES = REPO_ROOT / "examples" / "clusters"
CLUSTERS = ("dev", "production", "staging")


def render_into(
    output: Path, config_dir: Path = EXAMPLES, *args: str
) -> subprocess.CompletedProcess[str]:
    executable = require_tool("wildside")
    return subprocess.run(
        [
            executable,
            "platform",
            "render",
            "--all",
            "--config-dir",
            str(config_dir),
            "--output",
            str(output),
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def cluster_vars(tree: Path, cluster: str) -> dict[str, str]:
    document = load_yaml(tree / "clusters" / cluster / "cluster-vars.yaml")
    return {str(k): str(v) for k, v in document["data"].items()}


@dataclass(frozen=True)
class LayerBuild:
    name: str
    path: Path
    spec: dict[str, Any]
    objects: list[dict[str, Any]]


def kustomize_text(path: Path) -> str:
    kubectl = require_tool("kubectl")
    completed = subprocess.run(
        [kubectl, "kustomize", str(path)], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, f"kubectl kustomize {path} failed:\n{completed.stderr}"
    return completed.stdout


@cache
def flux_layers(tree: Path, cluster: str) -> list[LayerBuild]:
    """Every Flux Kustomization of the cluster that reads the platform
    repository, built and substituted the way kustomize-controller would."""
    root = tree / "clusters" / cluster
    values = cluster_vars(tree, cluster)
    builds = []
    for document in yaml.safe_load_all(kustomize_text(root)):
        if not document or document["kind"] != "Kustomization":
            continue
        spec = document["spec"]
        if spec["sourceRef"]["name"] != "flux-system":
            continue
        path = tree / spec["path"].removeprefix("./")
        text = kustomize_text(path)
        if spec.get("postBuild", {}).get("substituteFrom"):
            text = substitute(text, values)
        objects = [doc for doc in yaml.safe_load_all(text) if doc]
        builds.append(LayerBuild(document["metadata"]["name"], path, spec, objects))
    return in_dependency_order(builds)


def in_dependency_order(builds: list[LayerBuild]) -> list[LayerBuild]:
    """Follow dependsOn from the layer that depends on nothing (Flux's order)."""
    remaining = {build.name: build for build in builds}
    ordered: list[LayerBuild] = []
    done: set[str] = set()
    while remaining:
        ready = [
            b
            for b in remaining.values()
            if {d["name"] for d in b.spec.get("dependsOn", [])} <= done
        ]
        assert len(ready) == 1, f"layers are not a chain: {sorted(remaining)}"
        ordered.append(ready[0])
        done.add(ready[0].name)
        del remaining[ready[0].name]
    return ordered
