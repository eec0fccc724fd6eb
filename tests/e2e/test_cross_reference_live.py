"""The cross-reference checks of tests/platform/test_cross_reference.py, run
on what the real API server makes of each cluster's objects (a server-side
dry-run apply with the real CRDs returns them defaulted and admitted), and
Pod Security checked by the API server's own admission: the app's pods
(previews and long-lived environments) are admitted in their `restricted`
namespaces, and a pod that breaks the profile is refused there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from support import crossref
from support.cluster import Cluster
from support.cluster_objects import PREVIEW_DOMAIN, apps_repository, runs_on
from support.platform_tree import CLUSTERS, render_into


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("platform") / "tree"
    completed = render_into(output)
    assert completed.returncode == 0, completed.stderr
    return output


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return apps_repository(tmp_path_factory.mktemp("apps"), PREVIEW_DOMAIN)


def _namespaces(cluster: Cluster, objects: list[dict[str, Any]]) -> None:
    """Create the namespaces for real: a dry run cannot place an object in a
    namespace that does not exist yet."""
    declared = {n["metadata"]["name"]: n for n in crossref.kind(objects, "Namespace")}
    for obj in objects:
        name = obj["metadata"].get("namespace")
        if name and name not in declared:
            declared[name] = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    cluster.apply(list(declared.values()))


def server_view(cluster: Cluster, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The objects as the API server would store them."""
    _namespaces(cluster, objects)
    completed = cluster.kubectl(
        "apply", "--server-side", "--dry-run=server", "--force-conflicts",
        "--field-manager=wildside-e2e", "-o", "json", "-f", "-",
        input=yaml.safe_dump_all(objects), check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    items: list[dict[str, Any]] = (
        document["items"] if document.get("kind") == "List" else [document]
    )
    return items


@pytest.mark.parametrize("name", CLUSTERS)
def test_cross_references_hold_on_the_api_server(
    cluster: Cluster, tree: Path, checkout: Path, name: str
) -> None:
    objects = runs_on(tree, name, checkout)
    served = server_view(cluster, objects)
    assert len(served) == len(objects)
    assert all(o["metadata"].get("uid") for o in served), "objects come from the API server"
    assert crossref.host_problems(served) == []
    problems, checked = crossref.scrape_problems(served)
    assert problems == []
    assert "wildside" in checked, "the app's PodMonitor met the app's pods"
    assert crossref.namespace_problems(served) == []


def _pods(objects: list[dict[str, Any]], namespaces: set[str]) -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": f"pod-security-check-{index}",
                "namespace": namespace,
                "labels": (template.get("metadata") or {}).get("labels") or {},
            },
            "spec": template["spec"],
        }
        for index, (namespace, template) in enumerate(crossref.pods(objects))
        if namespace in namespaces
    ]


@pytest.mark.parametrize("name", CLUSTERS)
def test_app_pods_pass_pod_security_admission(
    cluster: Cluster, tree: Path, checkout: Path, name: str
) -> None:
    """Previews (dev) and the long-lived environments (staging, production)
    alike: the API server admits the app's pods in their `restricted`
    namespace and refuses one that breaks the profile."""
    objects = runs_on(tree, name, checkout)
    apps = [
        n
        for n in crossref.kind(objects, "Namespace")
        if n["metadata"]["name"].startswith("wildside-")
    ]
    assert apps
    cluster.apply(apps)
    pods = _pods(objects, {n["metadata"]["name"] for n in apps})
    assert len(pods) >= 2 * len(apps)
    admitted = cluster.kubectl(
        "create", "--dry-run=server", "-f", "-", input=yaml.safe_dump_all(pods), check=False
    )
    assert admitted.returncode == 0, admitted.stderr
    assert "PodSecurity" not in admitted.stderr

    breaking = json.loads(json.dumps(pods[0]))
    breaking["metadata"]["name"] = "pod-security-breaker"
    breaking["spec"]["hostNetwork"] = True
    refused = cluster.kubectl(
        "create", "--dry-run=server", "-f", "-", input=yaml.safe_dump(breaking), check=False
    )
    assert refused.returncode != 0
    assert 'violates PodSecurity "restricted' in refused.stderr


# Pods that break one Pod Security profile each: (spec, the levels that refuse it).
LEVEL_PROBES = {
    "no security context": (
        {"containers": [{"name": "probe", "image": "registry.k8s.io/pause:3.10"}]},
        {"restricted"},
    ),
    "host network": (
        {
            "hostNetwork": True,
            "containers": [{"name": "probe", "image": "registry.k8s.io/pause:3.10"}],
        },
        {"restricted", "baseline"},
    ),
}


@pytest.mark.parametrize("name", CLUSTERS)
def test_every_namespace_enforces_the_level_it_declares(
    cluster: Cluster, tree: Path, checkout: Path, name: str
) -> None:
    """The static check reads the labels; the API server is what enforces
    them. Each namespace a cluster runs refuses exactly the probe pods its
    declared level forbids (`monitoring` is baseline, node-exporter's
    privileged, everything else restricted)."""
    namespaces = crossref.kind(runs_on(tree, name, checkout), "Namespace")
    cluster.apply(namespaces)
    levels: dict[str, str] = {}
    for namespace in namespaces:
        level = namespace["metadata"]["labels"][crossref.ENFORCE]
        levels[namespace["metadata"]["name"]] = level
        for probe, (spec, refused_at) in LEVEL_PROBES.items():
            pod = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "level-probe", "namespace": namespace["metadata"]["name"]},
                "spec": spec,
            }
            completed = cluster.kubectl(
                "create", "--dry-run=server", "-f", "-", input=yaml.safe_dump(pod), check=False
            )
            where = f"{probe} in {namespace['metadata']['name']} ({level})"
            if level in refused_at:
                assert completed.returncode != 0, where
                assert f'violates PodSecurity "{level}' in completed.stderr, where
            else:
                assert completed.returncode == 0, (where, completed.stderr)
    assert set(levels.values()) == {"restricted", "baseline", "privileged"}
