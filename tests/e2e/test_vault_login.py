"""External Secrets' login, proven against the harness's real API server and
a real OpenBao: the rendered ClusterRoleBinding lets Vault review a real
service-account token (TokenRequest), Kubernetes auth is configured exactly
as `wildside vault bootstrap --kubernetes-host --kubernetes-ca-file
--cluster-config` configures it, and the resulting token reads only what the
cluster syncs. The rendered admission policy holds a preview namespace to
its own preview path."""

from __future__ import annotations

import json
import subprocess
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import hvac
import hvac.exceptions
import pytest
import yaml

from wildside.contract import kube
from wildside.platform import service, vault_reach

from support.cluster import Cluster
from support.openbao import Bao, run_bootstrap
from support.platform_tree import EXAMPLES, flux_layers, render_into
from support.tofu import copy_infra, tofu

ESO = "external-secrets"
T = TypeVar("T")


def eventually(attempt: Callable[[], T], what: str, timeout: float = 30) -> T:
    """RBAC and admission policies take effect through informers: retry."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return attempt()
        except (AssertionError, hvac.exceptions.VaultError):
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not happen within {timeout:g} s") from None
            time.sleep(0.5)


@pytest.fixture(scope="module")
def dev_objects(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    tree = tmp_path_factory.mktemp("platform")
    completed = render_into(tree)
    assert completed.returncode == 0, completed.stderr
    return [obj for layer in flux_layers(tree, "dev") for obj in layer.objects]


def rendered(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [obj for obj in objects if obj["kind"] == kind]


@pytest.fixture(scope="module")
def bao(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bao]:
    server = Bao(tmp_path_factory.mktemp("bao"), storage="inmem")
    server.start()
    yield server
    server.stop()


def service_account_token(cluster: Cluster, namespace: str, name: str) -> str:
    response = cluster.http.post(
        f"/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token",
        json={
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"expirationSeconds": 600},
        },
    )
    response.raise_for_status()
    return str(response.json()["status"]["token"])


def external_secrets_account(cluster: Cluster) -> None:
    """What the External Secrets chart creates: its namespace and service account."""
    account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": ESO, "namespace": ESO},
    }
    cluster.apply([kube.namespace(ESO), account])


def login(bao: Bao, jwt: str) -> hvac.Client:
    vault = hvac.Client(url=bao.address, token="")
    vault.auth.kubernetes.login(role=ESO, jwt=jwt, mount_point="kubernetes")
    return vault


def test_external_secrets_logs_in_with_a_real_token_and_reads_only_its_paths(
    cluster: Cluster, bao: Bao, dev_objects: list[dict[str, Any]], tmp_path: Path
) -> None:
    external_secrets_account(cluster)
    cluster.apply(
        [
            kube.namespace("wildside-pr-5"),
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {"name": ESO, "namespace": "wildside-pr-5"},
            },
        ]
    )
    state = tmp_path / "vault-state.json"
    config = EXAMPLES / "dev.yaml"
    bootstrapped = run_bootstrap(
        bao.address,
        "--state-file", str(state), "--keep-root-token", "--json",
        "--kubernetes-host", cluster.info.api_url,
        "--kubernetes-ca-file", str(cluster.pki / "ca.crt"),
        "--cluster-config", str(config),
    )  # fmt: skip
    assert bootstrapped.returncode == 0, bootstrapped.stderr
    root = hvac.Client(url=bao.address, token=json.loads(state.read_text())["root_token"])
    reach = vault_reach.reach(service.load_cluster(config, None, None))
    assert reach.previews and reach.platform_paths
    allowed = [*reach.platform_paths, "wildside/previews/wildside/pr-5"]
    denied = [
        "wildside/apps/production",
        "wildside/apps/staging",
        "wildside/platform/staging/external-dns",
        "wildside/platform/production/redis",
        "other/thing",
    ]
    for path in allowed + denied:
        root.secrets.kv.v2.create_or_update_secret(path, {"K": path})

    jwt = service_account_token(cluster, ESO, ESO)
    # Without the binding, Vault's TokenReview (made with this very token) is refused.
    with pytest.raises(hvac.exceptions.VaultError):
        login(bao, jwt)
    bindings = [
        b
        for b in rendered(dev_objects, "ClusterRoleBinding")
        if b["roleRef"]["name"] == "system:auth-delegator"
    ]
    assert len(bindings) == 1
    cluster.apply(bindings)
    vault = eventually(lambda: login(bao, jwt), "a login after the ClusterRoleBinding")
    assert vault.lookup_token()["data"]["policies"] == ["default", "wildside-external-secrets-dev"]
    kv = vault.secrets.kv.v2
    for path in allowed:
        data = kv.read_secret_version(path, raise_on_deleted_version=True)["data"]["data"]
        assert data == {"K": path}
    for path in denied:
        with pytest.raises(hvac.exceptions.Forbidden):
            kv.read_secret_version(path, raise_on_deleted_version=True)
    with pytest.raises(hvac.exceptions.Forbidden):
        kv.create_or_update_secret(allowed[0], {"K": "overwritten"})

    # Another namespace's service account of the same name is not External Secrets.
    stranger = service_account_token(cluster, "wildside-pr-5", ESO)
    with pytest.raises(hvac.exceptions.VaultError):
        login(bao, stranger)


def external_secret(namespace: str, **spec: Any) -> dict[str, Any]:
    document = kube.external_secret("probe-app-env", namespace, extract="wildside/previews/x/pr-1")
    document["spec"].pop("dataFrom", None)
    document["spec"].update(spec)
    return document


def test_a_preview_namespace_reaches_only_its_own_path(
    cluster: Cluster, dev_objects: list[dict[str, Any]]
) -> None:
    admission = rendered(dev_objects, "ValidatingAdmissionPolicy")
    admission += rendered(dev_objects, "ValidatingAdmissionPolicyBinding")
    assert len(admission) == 2
    cluster.apply(admission)
    cluster.apply([kube.namespace(n) for n in ("wildside-pr-42", "acme-shop-pr-7", "databases")])

    def verdict(document: dict[str, Any]) -> tuple[bool, str]:
        completed = cluster.kubectl(
            "create", "--dry-run=server", "-f", "-", input=yaml.safe_dump(document), check=False
        )
        return completed.returncode == 0, completed.stderr

    own = kube.external_secret(
        "probe-app-env", "wildside-pr-42", extract="wildside/previews/wildside/pr-42"
    )
    other_preview = kube.external_secret(
        "probe-app-env", "wildside-pr-42", extract="wildside/previews/wildside/pr-43"
    )

    def enforced() -> None:
        allowed, message = verdict(other_preview)
        assert not allowed and "its own Vault path" in message

    eventually(enforced, "the admission policy to take effect")
    assert verdict(own) == (True, "")
    database = kube.external_secret(
        "probe-db", "wildside-pr-42", data={"PASSWORD": ("wildside/previews/wildside/pr-42", "db")}
    )
    assert verdict(database)[0]
    assert verdict(
        kube.external_secret(
            "probe-app-env", "acme-shop-pr-7", extract="wildside/previews/acme-shop/pr-7"
        )
    )[0]
    refused = [
        kube.external_secret(
            "probe-dns",
            "wildside-pr-42",
            data={"token": ("wildside/platform/dev/external-dns", "token")},
        ),
        kube.external_secret("probe-prod", "wildside-pr-42", extract="wildside/apps/production"),
        kube.external_secret(
            "probe-x", "acme-shop-pr-7", extract="wildside/previews/wildside/pr-42"
        ),
        external_secret(
            "wildside-pr-42", dataFrom=[{"find": {"path": "wildside", "name": {"regexp": ".*"}}}]
        ),
        external_secret(
            "wildside-pr-42",
            secretStoreRef={"kind": "ClusterSecretStore", "name": "another"},
            dataFrom=[{"extract": {"key": "wildside/previews/wildside/pr-42"}}],
        ),
        external_secret(
            "wildside-pr-42",
            data=[
                {
                    "secretKey": "token",
                    "remoteRef": {"key": "wildside/previews/wildside/pr-42"},
                    "sourceRef": {"storeRef": {"kind": "ClusterSecretStore", "name": "other"}},
                }
            ],
        ),
    ]
    for document in refused:
        allowed, message = verdict(document)
        assert not allowed, yaml.safe_dump(document)
        assert "ValidatingAdmissionPolicy" in message, message
    # Outside preview namespaces the policy does not apply.
    platform = kube.external_secret(
        "probe-dns", "databases", data={"token": ("wildside/platform/dev/external-dns", "token")}
    )
    assert verdict(platform)[0]


def test_the_infra_module_configures_the_same_login(
    cluster: Cluster, dev_objects: list[dict[str, Any]], tmp_path: Path
) -> None:
    """infra/modules/vault_eso, applied by the real OpenTofu and vault provider,
    gives the cluster its own mount; bound to the policy `wildside vault
    bootstrap --cluster-config` pre-created, the same token logs in and reads
    the same paths, and the module's own defaults grant no other environment."""
    bao = Bao(tmp_path / "bao", storage="inmem")
    bao.start()
    try:
        state = tmp_path / "vault-state.json"
        config = EXAMPLES / "dev.yaml"
        created = run_bootstrap(
            bao.address, "--state-file", str(state), "--keep-root-token",
            "--cluster-config", str(config),
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        root_token = json.loads(state.read_text())["root_token"]
        infra = copy_infra(tmp_path)
        root = tmp_path / "root"
        root.mkdir()
        (root / "main.tf").write_text(
            textwrap.dedent(
                f"""\
                provider "vault" {{}}

                module "vault_eso" {{
                  source             = "{infra / "modules" / "vault_eso"}"
                  cluster_name       = "dev"
                  kubernetes_host    = "{cluster.info.api_url}"
                  kubernetes_ca_cert = file("{cluster.pki / "ca.crt"}")
                  vault_kv_prefix    = "wildside/platform/dev"
                  policy_name        = "wildside-external-secrets-dev"
                }}

                output "read_prefixes" {{
                  value = module.vault_eso.read_prefixes
                }}
                """
            )
        )
        engine = tofu()
        env = engine.env() | {"VAULT_ADDR": bao.address, "VAULT_TOKEN": root_token}
        for args in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
            completed = subprocess.run(
                [engine.binary, f"-chdir={root}", *args],
                capture_output=True, text=True, env=env, timeout=600, check=False,
            )  # fmt: skip
            assert completed.returncode == 0, completed.stderr[-3000:]
            assert root_token not in completed.stdout + completed.stderr
        assert '"wildside/platform/dev"' in completed.stdout  # no other prefix by default

        admin = hvac.Client(url=bao.address, token=root_token)
        for path in ("wildside/platform/dev/external-dns", "wildside/apps/staging"):
            admin.secrets.kv.v2.create_or_update_secret(path, {"K": path})
        external_secrets_account(cluster)
        cluster.apply(rendered(dev_objects, "ClusterRoleBinding"))
        jwt = service_account_token(cluster, ESO, ESO)

        def logged_in() -> hvac.Client:
            vault = hvac.Client(url=bao.address, token="")
            vault.auth.kubernetes.login(role=ESO, jwt=jwt, mount_point="kubernetes-dev")
            return vault

        vault = eventually(logged_in, "a login through the module's mount")
        kv = vault.secrets.kv.v2
        read = kv.read_secret_version(
            "wildside/platform/dev/external-dns", raise_on_deleted_version=True
        )
        assert read["data"]["data"] == {"K": "wildside/platform/dev/external-dns"}
        with pytest.raises(hvac.exceptions.Forbidden):
            kv.read_secret_version("wildside/apps/staging", raise_on_deleted_version=True)
    finally:
        bao.stop()
