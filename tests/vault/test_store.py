"""What the platform tree gives External Secrets, built as Flux would build
it (kubectl kustomize + substitution) for every example cluster: the
token-review binding, the pinned Vault CA, and a store that serves only the
namespaces that sync secrets. The admission policy and the login itself
are proven against a real API server in tests/e2e/test_vault_login.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from wildside.platform import service, vault_reach

from support.platform_tree import CLUSTERS, EXAMPLES, flux_layers, render_into


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("platform")
    result = render_into(output)
    assert result.returncode == 0, result.stderr
    return output


def objects(tree: Path, cluster: str) -> list[dict[str, Any]]:
    return [obj for build in flux_layers(tree, cluster) for obj in build.objects]


def one(
    found: list[dict[str, Any]], kind: str, name: str, namespace: str | None = None
) -> dict[str, Any]:
    (match,) = [
        o
        for o in found
        if o["kind"] == kind
        and o["metadata"]["name"] == name
        and o["metadata"].get("namespace") == namespace
    ]
    return match


def admitted(store: dict[str, Any], namespace: str) -> bool:
    for condition in store["spec"]["conditions"]:
        if namespace in condition.get("namespaces", []):
            return True
        if any(re.search(rx, namespace) for rx in condition.get("namespaceRegexes", [])):
            return True
    return False


def config_file(cluster: str) -> Path:
    (path,) = [p for p in EXAMPLES.iterdir() if p.stem == cluster]
    return path


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_external_secrets_may_review_its_own_token(tree: Path, cluster: str) -> None:
    binding = one(
        objects(tree, cluster), "ClusterRoleBinding", "external-secrets-vault-tokenreview"
    )
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "system:auth-delegator",
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "external-secrets", "namespace": "external-secrets"}
    ]


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_the_store_pins_the_vault_ca(tree: Path, cluster: str) -> None:
    found = objects(tree, cluster)
    store = one(found, "ClusterSecretStore", "vault")
    ca = store["spec"]["provider"]["vault"]["caProvider"]
    assert ca == {
        "type": "ConfigMap",
        "name": "vault-ca",
        "namespace": "external-secrets",
        "key": "ca.crt",
    }
    configmap = one(found, "ConfigMap", "vault-ca", "external-secrets")
    expected = service.load_cluster(config_file(cluster), None, None).vault
    assert expected is not None
    assert configmap["data"]["ca.crt"] == expected.ca_certificate


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_the_store_serves_only_namespaces_that_sync_secrets(tree: Path, cluster: str) -> None:
    store = one(objects(tree, cluster), "ClusterSecretStore", "vault")
    config = service.load_cluster(config_file(cluster), None, None)
    reach = vault_reach.reach(config)
    for namespace in reach.namespaces:  # every platform ExternalSecret still syncs
        assert admitted(store, namespace), namespace
    for environment in config.apps.overlays:
        assert admitted(store, f"wildside-{environment}")
    assert admitted(store, "wildside-pr-42") is config.hosts_previews
    assert admitted(store, "acme-shop-pr-7") is config.hosts_previews
    for outsider in ("default", "kube-system", "external-secrets", "wildside-dev", "evil"):
        assert not admitted(store, outsider), outsider
    if "production" not in config.apps.overlays:
        assert not admitted(store, "wildside-production")


def test_a_cluster_without_the_vault_ca_is_refused(cli: Any, tmp_path: Path) -> None:
    config = yaml.safe_load(config_file("dev").read_text())
    del config["vault"]["ca_certificate"]
    directory = tmp_path / "clusters"
    directory.mkdir()
    (directory / "dev.yaml").write_text(yaml.safe_dump(config))
    result = cli(
        "platform", "render", "--all", "--config-dir", str(directory),
        "--output", str(tmp_path / "tree"),
    )  # fmt: skip
    assert result.returncode == 2
    assert "vault.ca_certificate" in result.stderr and "vault_ca_cert_pem" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "tree").exists()
