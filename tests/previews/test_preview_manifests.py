"""Every rendered tree builds with the real `kubectl kustomize` and every
object validates (custom resources against the CRD schemas, core kinds with
kubernetes-validate --strict)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from wildside.gitops.location import RepoLocation
from wildside.previews import repository as apps
from wildside.previews import service
from wildside.previews.config import AppsConfig
from wildside.previews.model import PreviewRequest

from support import kustomize, schemas

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LOCATION = RepoLocation(url="file:///unused", branch="main")
CONFIG = AppsConfig(preview_domain="previews.test.dev")


def sha_for(pr: int) -> str:
    return f"{pr:07x}abc"


@pytest.fixture(scope="module")
def worktree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("apps")
    apps.apply_layout(root, CONFIG)
    for pr in range(1, 26):
        service.apply_up(root, LOCATION, PreviewRequest(pr=pr, sha=sha_for(pr)), NOW)
    service.apply_up(
        root,
        LOCATION,
        PreviewRequest(pr=100, sha="abcdef0", images={"backend": "ghcr.io/acme/backend-fork"}),
        NOW,
    )
    return root


@pytest.mark.parametrize("overlay", ["base", "overlays/production", "overlays/staging"])
def test_long_lived_trees_build_and_validate(worktree: Path, overlay: str) -> None:
    objects = kustomize.build(worktree / overlay)
    assert kustomize.by_kind(objects, "HelmRelease")
    schemas.validate_all(objects)


def test_production_overlay_sets_its_namespace_and_host(worktree: Path) -> None:
    objects = kustomize.build(worktree / "overlays/production")
    release = kustomize.by_kind(objects, "HelmRelease")[0]
    assert release["metadata"]["namespace"] == "wildside-production"
    assert release["spec"]["values"]["ingress"]["host"] == CONFIG.production_host


@pytest.mark.parametrize("environment", ["production", "staging"])
def test_long_lived_namespaces_are_isolated_like_previews(worktree: Path, environment: str) -> None:
    objects = kustomize.build(worktree / f"overlays/{environment}")
    (namespace,) = kustomize.by_kind(objects, "Namespace")
    assert namespace["metadata"]["name"] == f"wildside-{environment}"
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    policies = kustomize.by_kind(objects, "NetworkPolicy")
    assert {p["metadata"]["namespace"] for p in policies} == {f"wildside-{environment}"}
    assert {p["metadata"]["name"] for p in policies} == {
        "default-deny-ingress",
        "allow-from-ingress-controller",
        "allow-same-namespace",
        "allow-metrics-from-monitoring",
    }


@pytest.mark.parametrize("pr", [1, 13, 25])
def test_each_preview_builds_with_its_tags_host_namespace_and_labels(
    worktree: Path, pr: int
) -> None:
    objects = kustomize.build(worktree / f"overlays/ephemeral/pr-{pr}")
    schemas.validate_all(objects)
    namespace = f"wildside-pr-{pr}"
    kinds = sorted(obj["kind"] for obj in objects)
    assert kinds == sorted(
        [
            "Namespace",
            "NetworkPolicy",
            "NetworkPolicy",
            "NetworkPolicy",
            "NetworkPolicy",  # the monitoring namespace on the metrics port
            "ResourceQuota",
            "LimitRange",
            "HelmRelease",
            "HelmRepository",
        ]
    )
    for obj in objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == namespace, obj["kind"]
        labels = obj["metadata"]["labels"]
        assert labels["previews.wildside.dev/pr"] == str(pr)
        assert labels["previews.wildside.dev/sha"] == sha_for(pr)
    release = kustomize.by_kind(objects, "HelmRelease")[0]
    values = release["spec"]["values"]
    assert values["backend"]["image"] == {
        "repository": CONFIG.images["backend"],
        "tag": sha_for(pr),
    }
    assert values["frontend"]["image"]["tag"] == sha_for(pr)
    assert values["ingress"]["host"] == f"pr-{pr}.previews.test.dev"
    assert values["preview"] == {"enabled": True, "pr": pr}
    assert values["scheduling"]["nodeSelector"] == {"wildside.dev/pool": "previews"}
    assert values["scheduling"]["tolerations"][0]["key"] == "wildside.dev/preview"
    assert release["spec"]["chart"]["spec"]["sourceRef"] == {
        "kind": "HelmRepository",
        "name": "app-chart",
    }


def test_network_policies_deny_by_default_and_admit_the_ingress_controller(worktree: Path) -> None:
    objects = kustomize.build(worktree / "overlays/ephemeral/pr-1")
    policies = {
        p["metadata"]["name"]: p["spec"] for p in kustomize.by_kind(objects, "NetworkPolicy")
    }
    assert policies["default-deny-ingress"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    selector = policies["allow-from-ingress-controller"]["ingress"][0]["from"][0][
        "namespaceSelector"
    ]
    assert selector == {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}}


def test_image_overrides_get_the_sha_tag(worktree: Path) -> None:
    objects = kustomize.build(worktree / "overlays/ephemeral/pr-100")
    values = kustomize.by_kind(objects, "HelmRelease")[0]["spec"]["values"]
    assert values["backend"]["image"] == {
        "repository": "ghcr.io/acme/backend-fork",
        "tag": "abcdef0",
    }


def test_the_ephemeral_index_builds_one_flux_kustomization_per_preview(worktree: Path) -> None:
    objects = kustomize.build(worktree / "overlays/ephemeral")
    schemas.validate_all(objects)
    assert all(obj["kind"] == "Kustomization" for obj in objects)
    names = [obj["metadata"]["name"] for obj in objects]
    assert len(names) == 26
    assert len(set(names)) == 26
    by_name: dict[str, Any] = {obj["metadata"]["name"]: obj for obj in objects}
    flux = by_name["wildside-pr-7"]
    assert flux["metadata"]["namespace"] == "flux-system"
    spec = flux["spec"]
    assert spec["path"] == "./overlays/ephemeral/pr-7"
    assert spec["prune"] is True
    assert spec["wait"] is True
    assert spec["timeout"] == "10m"
    assert spec["sourceRef"] == {"kind": "GitRepository", "name": "wildside-apps"}


def test_the_index_is_sorted_by_pr_number(worktree: Path) -> None:
    import yaml

    index = yaml.safe_load((worktree / "overlays/ephemeral/kustomization.yaml").read_text())
    numbers = [int(entry.split("/")[0].removeprefix("pr-")) for entry in index["resources"]]
    assert numbers == sorted(numbers)


def test_entries_a_human_added_to_the_index_are_kept(tmp_path: Path) -> None:
    apps.apply_layout(tmp_path, CONFIG)
    index = tmp_path / "overlays/ephemeral/kustomization.yaml"
    index.write_text(index.read_text().replace("resources: []", "resources:\n- shared-config.yaml"))
    service.apply_up(tmp_path, LOCATION, PreviewRequest(pr=3, sha="abcdef0"), NOW)
    service.apply_down(tmp_path, 3)
    assert "shared-config.yaml" in index.read_text()
