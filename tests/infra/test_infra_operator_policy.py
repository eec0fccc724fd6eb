"""The operator policy (infra/vault/tofu-operator-policy.hcl) on a real OpenBao.

A token holding only that policy applies what the cluster root writes into OpenBao (the
vault_eso and redis modules, through the real OpenTofu and vault provider), a second
plan finds nothing to change, and every way it could grant itself more is refused:
writing a policy, mounting another auth method, a role binding another policy (as a
list, as a comma-separated string, through the legacy `policies` parameter), another
cluster's policy or role, a child token with more policies, an audit device.
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.infra_hcl import INFRA, rel
from support.openbao import Bao, make_certificate, run_bootstrap
from support.platform_tree import EXAMPLES
from support.tofu import Tofu, copy_infra, tofu

POLICY_FILE = INFRA / "vault" / "tofu-operator-policy.hcl"
CLUSTER_DIRS = sorted(p.parent.name for p in (INFRA / "clusters").glob("*/cluster.tfvars"))


@dataclass(frozen=True)
class Appliance:
    bao: Bao
    root_token: str
    operator_token: str

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> int:
        response = httpx.request(
            method,
            f"{self.bao.address}/v1/{path}",
            headers={"X-Vault-Token": self.operator_token},
            json=body,
            timeout=10,
        )
        return response.status_code

    def read(self, path: str) -> dict[str, Any]:
        response = httpx.get(
            f"{self.bao.address}/v1/{path}",
            headers={"X-Vault-Token": self.root_token},
            timeout=10,
        )
        response.raise_for_status()
        data: dict[str, Any] = response.json()["data"]
        return data


@pytest.fixture(scope="module")
def appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    """OpenBao initialised by `wildside vault bootstrap` (which pre-creates
    wildside-external-secrets-dev), with the operator policy and a token of it."""
    root = tmp_path_factory.mktemp("operator-policy")
    bao = Bao(root / "bao", storage="inmem")
    bao.start()
    try:
        state = root / "vault-state.json"
        created = run_bootstrap(
            bao.address, "--state-file", str(state), "--keep-root-token",
            "--cluster-config", str(EXAMPLES / "dev.yaml"),
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        root_token = json.loads(state.read_text())["root_token"]
        headers = {"X-Vault-Token": root_token}
        written = httpx.put(
            f"{bao.address}/v1/sys/policies/acl/wildside-tofu",
            headers=headers,
            json={"policy": POLICY_FILE.read_text(encoding="utf-8")},
            timeout=10,
        )
        assert written.status_code == 204, written.text
        minted = httpx.post(
            f"{bao.address}/v1/auth/token/create-orphan",
            headers=headers,
            json={"policies": ["wildside-tofu"], "ttl": "1h"},
            timeout=10,
        )
        assert minted.status_code == 200, minted.text
        yield Appliance(bao, root_token, minted.json()["auth"]["client_token"])
    finally:
        bao.stop()


def cluster_root(directory: Path, infra: Path, ca_pem: Path) -> Path:
    """What the cluster root writes into OpenBao for the dev cluster, on its own."""
    directory.mkdir()
    (directory / "main.tf").write_text(
        textwrap.dedent(
            f"""\
            provider "vault" {{}}

            module "vault_eso" {{
              source             = "{infra / "modules" / "vault_eso"}"
              cluster_name       = "dev"
              kubernetes_host    = "https://10.0.0.1:6443"
              kubernetes_ca_cert = file("{ca_pem}")
              vault_kv_prefix    = "wildside/platform/dev"
              policy_name        = "wildside-external-secrets-dev"
            }}

            module "redis" {{
              source          = "{infra / "modules" / "redis"}"
              cluster_name    = "dev"
              vault_kv_prefix = "wildside/platform/dev"
            }}
            """
        )
    )
    return directory


def run_tofu(engine: Tofu, directory: Path, token: str, address: str, *args: str) -> int:
    completed = subprocess.run(
        [engine.binary, f"-chdir={directory}", *args],
        capture_output=True,
        text=True,
        env=engine.env() | {"VAULT_ADDR": address, "VAULT_TOKEN": token},
        timeout=600,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert token not in output
    assert completed.returncode in (0, 2), f"tofu {args[0]} failed:\n{output[-4000:]}"
    return completed.returncode


def test_the_operator_token_applies_the_cluster_root_and_a_second_plan_changes_nothing(
    appliance: Appliance, tmp_path: Path
) -> None:
    engine = tofu()
    ca_pem, _ = make_certificate(tmp_path, "kube-ca")
    root = cluster_root(tmp_path / "root", copy_infra(tmp_path), ca_pem)
    token, address = appliance.operator_token, appliance.bao.address
    run_tofu(engine, root, token, address, "init", "-input=false", "-no-color")
    run_tofu(engine, root, token, address, "apply", "-auto-approve", "-input=false", "-no-color")
    again = run_tofu(
        engine, root, token, address, "plan", "-detailed-exitcode", "-input=false", "-no-color"
    )
    assert again == 0, "a second plan with nothing changed must find nothing to do"

    role = appliance.read("auth/kubernetes-dev/role/external-secrets")
    assert role["token_policies"] == ["wildside-external-secrets-dev"]
    assert role["bound_service_account_names"] == ["external-secrets"]
    assert appliance.read("secret/data/wildside/platform/dev/redis")["data"]


ESCALATIONS = {
    "write a policy": ("PUT", "sys/policies/acl/mine", {"policy": 'path "*" {}'}),
    "write a policy (legacy path)": ("PUT", "sys/policy/mine", {"policy": 'path "*" {}'}),
    "mount another auth method under an allowed name": (
        "POST",
        "sys/auth/kubernetes-production",
        {"type": "userpass"},
    ),
    "mount an auth method under another name": ("POST", "sys/auth/mine", {"type": "kubernetes"}),
    "bind another policy": (
        "POST",
        "auth/kubernetes-dev/role/external-secrets",
        {"token_policies": "admin"},
    ),
    "bind another policy in a list": (
        "POST",
        "auth/kubernetes-dev/role/external-secrets",
        {"token_policies": ["wildside-external-secrets-dev", "admin"]},
    ),
    "bind another policy after a comma": (
        "POST",
        "auth/kubernetes-dev/role/external-secrets",
        {"token_policies": "wildside-external-secrets-dev,admin"},
    ),
    "bind another policy through the legacy parameter": (
        "POST",
        "auth/kubernetes-dev/role/external-secrets",
        {"token_policies": "wildside-external-secrets-dev", "policies": "admin"},
    ),
    "bind another cluster's policy": (
        "POST",
        "auth/kubernetes-dev/role/external-secrets",
        {"token_policies": "wildside-external-secrets-production"},
    ),
    "write another role": (
        "POST",
        "auth/kubernetes-dev/role/mine",
        {"token_policies": "wildside-external-secrets-dev"},
    ),
    "write a role of the bootstrap's mount": (
        "POST",
        "auth/kubernetes/role/external-secrets",
        {"token_policies": "wildside-external-secrets-dev"},
    ),
    "write an AppRole": ("POST", "auth/approle/role/mine", {"token_policies": "admin"}),
    "a child token with more policies": ("POST", "auth/token/create", {"policies": ["admin"]}),
    "an orphan token": ("POST", "auth/token/create-orphan", {}),
    "switch the audit device off": ("DELETE", "sys/audit/file", None),
    "read application secrets": ("GET", "secret/data/wildside/apps/production", None),
}


@pytest.mark.parametrize("attempt", sorted(ESCALATIONS))
def test_the_operator_token_cannot_grant_itself_more(appliance: Appliance, attempt: str) -> None:
    method, path, body = ESCALATIONS[attempt]
    status = appliance.call(method, path, body)
    # 403 is "permission denied"; token creation answers 400 "child policies must be
    # subset of parent", also before anything is written.
    assert status in (400, 403), f"{attempt}: {method} {path} answered {status}"


def test_the_policy_names_every_cluster_and_only_with_exact_paths() -> None:
    text = POLICY_FILE.read_text(encoding="utf-8")
    clusters = sorted(set(re.findall(r'path "auth/kubernetes-([a-z0-9-]+)/config"', text)))
    assert clusters == CLUSTER_DIRS, (
        f"{rel(POLICY_FILE)} has blocks for {clusters}, infra/clusters/ has {CLUSTER_DIRS}"
    )
    # "*" is a glob only at the end of a path; in the middle it matches nothing.
    assert not [p for p in re.findall(r'path "([^"]+)"', text) if "*" in p[:-1]]
    # A glob among allowed values also admits "<allowed>,<anything>".
    assert not re.search(r'"token_policies"\s*=\s*\[[^\]]*\*', text)
