"""The rendered example tree: every folder Flux applies builds with the real
kubectl kustomize, validates, is layered in dependency order and holds
nothing secret."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest
import yaml

from wildside.contract import names
from wildside.platform.components import registry

from support.platform_tree import CLUSTERS, cluster_vars, flux_layers, kustomize_text, load_yaml
from support.schemas import is_custom, validate_all

FLUX_GROUPS = {
    "source.toolkit.fluxcd.io",
    "kustomize.toolkit.fluxcd.io",
    "helm.toolkit.fluxcd.io",
    "notification.toolkit.fluxcd.io",
}
ORDER = ["platform-sources", "platform-controllers", "platform-configs", "platform-apps"]
CREDENTIAL = re.compile(
    r"PRIVATE KEY|ghp_[A-Za-z0-9]{20,}|github_pat_|dop_v1_[a-f0-9]{20,}|AKIA[0-9A-Z]{16}"
    r"|hvs\.[A-Za-z0-9]{20,}|xox[abp]-|(?i:(password|secret|token|apikey|api_key)\s*[:=]\s*['\"]?[A-Za-z0-9+/]{16,})"
)


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_every_flux_path_builds_and_validates(rendered_tree: Path, cluster: str) -> None:
    root_objects = list(yaml.safe_load_all(kustomize_text(rendered_tree / "clusters" / cluster)))
    validate_all([o for o in root_objects if o])
    layers = flux_layers(rendered_tree, cluster)
    assert [layer.name for layer in layers] == ORDER
    for layer in layers:
        assert layer.objects, f"{layer.path} builds nothing"
        validate_all(layer.objects)  # substitution is strict: an unset ${var} already failed


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_layers_depend_on_each_other_in_order(rendered_tree: Path, cluster: str) -> None:
    documents = [
        d for d in yaml.safe_load_all(kustomize_text(rendered_tree / "clusters" / cluster)) if d
    ]
    flux = {d["metadata"]["name"]: d["spec"] for d in documents if d["kind"] == "Kustomization"}
    expected = ORDER + (["previews"] if cluster == "dev" else [])  # one cluster hosts previews
    assert sorted(flux) == sorted(expected)
    for before, after in itertools.pairwise(expected):
        assert flux[after]["dependsOn"] == [{"name": before}]
    assert "dependsOn" not in flux["platform-sources"]
    for name in ("platform-sources", "platform-controllers", "platform-configs"):
        assert flux[name]["wait"] is True and flux[name]["prune"] is True
    if cluster == "dev":
        previews = flux["previews"]
        assert previews["sourceRef"] == {"kind": "GitRepository", "name": names.APPS_SOURCE}
        assert previews["path"] == "./overlays/ephemeral"
        assert previews["prune"] is True and "postBuild" not in previews


def _helm_components_by_layer(tree: Path, cluster: str) -> dict[str, set[str]]:
    """Components whose HelmRelease a layer applies, read from the unit folders it lists."""
    found: dict[str, set[str]] = {}
    for layer in flux_layers(tree, cluster):
        index = load_yaml(layer.path / "kustomization.yaml")
        components = set()
        for entry in index.get("resources", []):
            if entry.startswith("../../../platform/"):
                unit = (layer.path / entry).resolve()
                if any("kind: HelmRelease" in p.read_text() for p in unit.glob("*.yaml")):
                    components.add(entry.split("/")[4])
        found[layer.name] = components
    return found


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_no_custom_resource_before_its_operator(rendered_tree: Path, cluster: str) -> None:
    providers = registry.components()
    helm_by_layer = _helm_components_by_layer(rendered_tree, cluster)
    available = set(FLUX_GROUPS)
    for layer in flux_layers(rendered_tree, cluster):
        for obj in layer.objects:
            group = obj["apiVersion"].split("/")[0]
            if is_custom(obj["apiVersion"]):
                assert group in available, (
                    f"{layer.name} applies {obj['kind']} {obj['metadata']['name']} ({group}) "
                    "before the layer that installs its CRD"
                )
        for component in helm_by_layer[layer.name]:
            available.update(providers[component].crd_groups)


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_controllers_install_crds_and_request_resources(rendered_tree: Path, cluster: str) -> None:
    releases = [
        obj
        for layer in flux_layers(rendered_tree, cluster)
        for obj in layer.objects
        if obj["kind"] == "HelmRelease"
    ]
    assert {r["metadata"]["name"] for r in releases} >= {
        "traefik",
        "cert-manager",
        "external-secrets",
        "cloudnative-pg",
        "external-dns",
        "valkey",
    }
    for release in releases:
        spec = release["spec"]
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", spec["chart"]["spec"]["version"]), "pinned version"
        assert spec["install"]["crds"] == "CreateReplace"
        if "valuesFrom" not in spec:  # values kept in a ConfigMap are that component's business
            assert "requests" in yaml.safe_dump(spec["values"]), release["metadata"]["name"]


def test_every_helm_release_has_a_source_in_the_sources_layer(rendered_tree: Path) -> None:
    for cluster in CLUSTERS:
        layers = {layer.name: layer.objects for layer in flux_layers(rendered_tree, cluster)}
        repositories = {
            o["metadata"]["name"]
            for o in layers["platform-sources"]
            if o["kind"] == "HelmRepository"
        }
        used = {
            o["spec"]["chart"]["spec"]["sourceRef"]["name"]
            for objects in layers.values()
            for o in objects
            if o["kind"] == "HelmRelease"
        }
        assert used == repositories, cluster


def test_cluster_specific_wiring(rendered_tree: Path) -> None:
    dev = {layer.name: layer.objects for layer in flux_layers(rendered_tree, "dev")}
    configs = {(o["kind"], o["metadata"]["name"]): o for o in dev["platform-configs"]}
    store = configs[("ClusterSecretStore", names.SECRET_STORE)]["spec"]["provider"]["vault"]
    assert store["auth"]["kubernetes"] == {
        "mountPath": "kubernetes-dev",
        "role": names.VAULT_ESO_ROLE,
        "serviceAccountRef": {"name": names.ESO_SERVICE_ACCOUNT, "namespace": names.ESO_NAMESPACE},
    }
    assert store["path"] == names.VAULT_KV_MOUNT and store["version"] == "v2"
    certificate = configs[("Certificate", "wildcard-preview")]["spec"]
    assert certificate["dnsNames"] == ["previews.dev.example.com", "*.previews.dev.example.com"]
    tls_store = configs[("TLSStore", "default")]
    assert tls_store["metadata"]["namespace"] == names.INGRESS_NAMESPACE
    assert tls_store["spec"]["defaultCertificate"]["secretName"] == certificate["secretName"]
    pg = configs[("Cluster", names.PREVIEW_DB_CLUSTER)]
    assert pg["metadata"]["namespace"] == names.DATABASES_NAMESPACE and pg["spec"]["instances"] == 1
    template = configs[("Database", "wildside-template")]["spec"]
    assert template["name"] == names.TEMPLATE_DATABASE and template["isTemplate"] is True
    assert template["cluster"] == {"name": names.PREVIEW_DB_CLUSTER}
    issuer = configs[("ClusterIssuer", "letsencrypt-production")]["spec"]["acme"]
    assert (
        issuer["solvers"][0]["dns01"]["digitalocean"]["tokenSecretRef"]["name"]
        == "dns-provider-token"
    )
    apps = {(o["kind"], o["metadata"]["name"]): o for o in dev["platform-apps"]}
    source = apps[("GitRepository", names.APPS_SOURCE)]
    assert source["metadata"]["namespace"] == names.FLUX_NAMESPACE
    assert source["spec"]["url"] == "https://github.com/example/wildside-apps"
    receiver = apps[("Receiver", names.APPS_SOURCE)]["spec"]
    assert receiver["type"] == "github" and receiver["resources"] == [
        {"kind": "GitRepository", "name": names.APPS_SOURCE}
    ]
    assert not any(o["kind"] == "Kustomization" for o in dev["platform-apps"]), (
        "dev runs no long-lived overlay"
    )

    production = {layer.name: layer.objects for layer in flux_layers(rendered_tree, "production")}
    kinds = {(o["kind"], o["metadata"]["name"]) for objs in production.values() for o in objs}
    assert ("Kustomization", "wildside-production") in kinds
    assert ("Cluster", "wildside-production") in kinds and (
        "Cluster",
        names.PREVIEW_DB_CLUSTER,
    ) not in kinds
    assert ("ClusterIssuer", "vault-pki") in kinds
    prod_configs = {(o["kind"], o["metadata"]["name"]): o for o in production["platform-configs"]}
    solver = prod_configs[("ClusterIssuer", "letsencrypt-production")]["spec"]["acme"]["solvers"][0]
    assert "cloudflare" in solver["dns01"]
    backup = prod_configs[("Cluster", "wildside-production")]["spec"]["backup"]
    assert (
        backup["barmanObjectStore"]["destinationPath"]
        == "s3://wildside-backups/postgres/production"
    )
    assert prod_configs[("Cluster", "wildside-production")]["spec"]["instances"] == 3
    prod_apps = {(o["kind"], o["metadata"]["name"]): o for o in production["platform-apps"]}
    assert prod_apps[("GitRepository", names.APPS_SOURCE)]["spec"]["secretRef"] == {
        "name": "wildside-apps-auth"
    }

    staging = {layer.name: layer.objects for layer in flux_layers(rendered_tree, "staging")}
    staging_kinds = {(o["kind"], o["metadata"]["name"]) for objs in staging.values() for o in objs}
    assert ("Kustomization", "wildside-staging") in staging_kinds
    assert ("ScheduledBackup", "wildside-staging-daily") in staging_kinds
    assert ("Cluster", names.PREVIEW_DB_CLUSTER) not in staging_kinds, "previews live on dev"


def test_platform_folders_are_shared_not_copied(rendered_tree: Path) -> None:
    platform = rendered_tree / "platform"
    assert not any(cluster in p.parts for p in platform.rglob("*") for cluster in CLUSTERS)
    assert sorted(p.name for p in platform.iterdir()) == [
        "apps",
        "cert-manager",
        "databases",
        "external-dns",
        "monitoring",
        "receiver",
        "redis",
        "sources",
        "traefik",
        "vault",
    ]
    assert (rendered_tree / "modules" / "README.md").is_file()
    for cluster in CLUSTERS:
        assert cluster_vars(rendered_tree, cluster)["cluster_name"] == cluster


# What a cluster folder may hold besides kustomize patches: Flux entry points,
# its variables, and objects only that cluster has. A shared unit copied in
# (a HelmRelease, rules, dashboards, a namespace) would be another kind.
CLUSTER_OWN_KINDS = {
    "Kustomization",
    "ConfigMap",
    "ExternalSecret",
    "Certificate",
    "ScheduledBackup",
}


# Layer folders whose own files all sit in a subfolder per component
# (`configs/vault/`, `configs/databases/`, …) beside the layer's kustomization.yaml.
GROUPED_LAYERS = {"controllers", "configs"}


def _cluster_folder_problems(root: Path) -> list[str]:
    indexes = list(root.rglob("kustomization.yaml"))
    patches = {
        (index.parent / patch["path"]).resolve()
        for index in indexes
        for patch in load_yaml(index).get("patches") or []
    }
    problems = []
    for index in indexes:
        folder = index.parent
        files = [p for p in folder.iterdir() if p.is_file() and p != index]
        if len(files) > 7:
            problems.append(f"{folder} holds {len(files) + 1} files")
        for path in files:
            if path.stat().st_size >= 4096:
                problems.append(f"{path} is not small")
            if folder.parent == root and folder.name in GROUPED_LAYERS:
                problems.append(f"{path} is not in its component's folder")
            if "monitoring" in path.name and folder.name != "monitoring":
                problems.append(f"{path} is not under the monitoring component's folder")
            if path.resolve() in patches:
                continue
            kinds = {d["kind"] for d in yaml.safe_load_all(path.read_text())}
            if not kinds <= CLUSTER_OWN_KINDS:
                problems.append(f"{path} holds {sorted(kinds - CLUSTER_OWN_KINDS)}")
    return problems


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_cluster_folders_hold_entry_points_patches_and_their_own_objects(
    rendered_tree: Path, cluster: str, tmp_path: Path
) -> None:
    """`clusters/<c>/` once held 19 monitoring files flat in `configs/` and a
    13 kB values string: each folder now holds a few small files, and in the
    controllers and configs layers every file but the layer's kustomization.yaml
    sits in its component's subfolder."""
    root = rendered_tree / "clusters" / cluster
    assert _cluster_folder_problems(root) == []
    copied = tmp_path / cluster
    shutil.copytree(root, copied)
    stack = rendered_tree / "platform" / "monitoring" / "stack" / "helmrelease.yaml"
    shutil.copy(stack, copied / "configs" / "monitoring-stack.yaml")
    found = _cluster_folder_problems(copied)
    assert any("['HelmRelease']" in p for p in found), found
    assert any("not under the monitoring" in p for p in found), found
    assert any("not in its component's folder" in p for p in found), found


def test_nothing_secret_in_the_tree(rendered_tree: Path) -> None:
    for path in rendered_tree.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text()
        assert not CREDENTIAL.search(text), f"{path} holds a credential-looking value"
        for document in yaml.safe_load_all(text) if path.suffix == ".yaml" else []:
            if isinstance(document, dict) and document.get("kind") == "Secret":
                assert not document.get("data") and not document.get("stringData"), path
