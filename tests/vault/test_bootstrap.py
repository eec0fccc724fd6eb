"""`wildside vault bootstrap` against a real OpenBao (Raft storage, real
init and unseal): from every starting state it converges, and re-runs are
verified no-ops."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hvac
import hvac.exceptions
import pytest

from wildside.platform import service, vault_reach

from support.openbao import (
    Bao,
    Run,
    make_certificate,
    run_bootstrap,
    secret_needles,
    statuses,
)


@dataclass
class Bootstrapped:
    bao: Bao
    state_file: Path
    runs: list[Run]

    def state(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.state_file.read_text())
        return loaded


@pytest.fixture(scope="module")
def bootstrapped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bootstrapped]:
    """One Raft-backed server taken from uninitialised to configured. The
    first run keeps the root token (so the leak test knows it), the second
    revokes it."""
    bao = Bao(tmp_path_factory.mktemp("bao"), storage="raft")
    bao.start()
    work = tmp_path_factory.mktemp("operator")
    state_file = work / "vault-state.json"
    first = run_bootstrap(
        bao.address, "--state-file", str(state_file), "--keep-root-token", "--json", cwd=work
    )
    assert first.returncode == 0, first.stderr
    root_token = json.loads(state_file.read_text())["root_token"]
    second = run_bootstrap(bao.address, "--state-file", str(state_file), "--json", cwd=work)
    assert second.returncode == 0, second.stderr
    result = Bootstrapped(bao, state_file, [first, second])
    result.root_token = root_token  # type: ignore[attr-defined]
    yield result
    bao.stop()


def client(bao: Bao, token: str = "") -> hvac.Client:
    vault = hvac.Client(url=bao.address, token="")
    vault.token = token
    return vault


def bootstrap_token(setup: Bootstrapped) -> str:
    state = setup.state()
    vault = client(setup.bao)
    vault.auth.approle.login(
        role_id=state["bootstrap_role_id"], secret_id=state["bootstrap_secret_id"]
    )
    return str(vault.token)


def test_first_run_initialises_unseals_and_configures(bootstrapped: Bootstrapped) -> None:
    steps = statuses(bootstrapped.runs[0].stdout)
    assert steps["initialise"] == "created"
    assert steps["unseal"] == "unsealed"
    assert steps["kv-mount secret/"] == "created"
    assert steps["auth approle/"] == "created"
    assert steps["auth kubernetes/"] == "created"
    assert steps["policy wildside-ci-deployer"] == "created"
    assert steps["policy wildside-external-secrets"] == "created"
    assert steps["role approle/ci-deployer"] == "created"
    assert steps["role kubernetes/external-secrets"] == "skipped"  # no --cluster-config
    assert steps["root-token"] == "kept"
    assert "ONLY copy of the unseal shares" in bootstrapped.runs[0].stderr
    mode = stat.S_IMODE(bootstrapped.state_file.stat().st_mode)
    assert mode == 0o600
    health = bootstrapped.bao.health()
    assert health["initialized"] and not health["sealed"]


def test_root_token_is_revoked_and_removed_from_the_state_file(
    bootstrapped: Bootstrapped,
) -> None:
    steps = statuses(bootstrapped.runs[1].stdout)
    assert steps["root-token"] == "revoked"
    state = bootstrapped.state()
    assert state["root_token"] is None and state["root_token_revoked"] is True
    with pytest.raises(hvac.exceptions.Forbidden):
        client(bootstrapped.bao, bootstrapped.root_token).lookup_token()  # type: ignore[attr-defined]


def test_rerun_verifies_every_step_and_changes_nothing(bootstrapped: Bootstrapped) -> None:
    before = bootstrapped.state_file.read_bytes()
    rerun = run_bootstrap(
        bootstrapped.bao.address, "--state-file", str(bootstrapped.state_file), "--json"
    )
    assert rerun.returncode == 0, rerun.stderr
    result = json.loads(rerun.stdout)
    assert result["changed"] is False
    assert {step["status"] for step in result["steps"]} <= {"verified", "skipped"}
    assert statuses(rerun.stdout)["token"] == "verified"
    assert result["approle_role_id"]
    assert bootstrapped.state_file.read_bytes() == before


def test_sealed_after_restart_is_unsealed_with_stored_shares(bootstrapped: Bootstrapped) -> None:
    bootstrapped.bao.restart()
    assert bootstrapped.bao.health()["sealed"] is True
    rerun = run_bootstrap(
        bootstrapped.bao.address, "--state-file", str(bootstrapped.state_file), "--json"
    )
    assert rerun.returncode == 0, rerun.stderr
    steps = statuses(rerun.stdout)
    assert steps["initialise"] == "verified"
    assert steps["unseal"] == "unsealed"
    assert all(
        status in ("verified", "skipped") for name, status in steps.items() if name != "unseal"
    )
    assert bootstrapped.bao.health()["sealed"] is False


def test_unseal_only_from_environment_shares_needs_no_token(bootstrapped: Bootstrapped) -> None:
    bootstrapped.bao.restart()
    shares = "\n".join(bootstrapped.state()["unseal_keys_b64"][:3])
    rerun = run_bootstrap(
        bootstrapped.bao.address,
        "--unseal-only",
        "--json",
        env={"WILDSIDE_VAULT_UNSEAL_KEYS": shares},
    )
    assert rerun.returncode == 0, rerun.stderr
    assert statuses(rerun.stdout)["unseal"] == "unsealed"
    assert shares.splitlines()[0] not in rerun.stdout + rerun.stderr


def test_kubernetes_auth_is_configured_when_the_cluster_is_known(
    bootstrapped: Bootstrapped, tmp_path: Path
) -> None:
    args = [
        "--state-file",
        str(bootstrapped.state_file),
        "--cluster-config",
        str(EXAMPLES / "dev.yaml"),
        "--kubernetes-host",
        "https://10.0.0.1:6443",
        "--kubernetes-ca-file",
        str(make_certificate(tmp_path, "cluster-ca")[0]),
        "--json",
    ]
    first = run_bootstrap(bootstrapped.bao.address, *args)
    assert first.returncode == 0, first.stderr
    assert statuses(first.stdout)["auth kubernetes/config"] in ("created", "updated", "verified")
    second = run_bootstrap(bootstrapped.bao.address, *args)
    assert statuses(second.stdout)["auth kubernetes/config"] == "verified"
    assert json.loads(second.stdout)["changed"] is False
    admin = client(bootstrapped.bao, bootstrap_token(bootstrapped))
    role = admin.read("auth/kubernetes/role/external-secrets")["data"]
    assert role["bound_service_account_names"] == ["external-secrets"]
    assert role["bound_service_account_namespaces"] == ["external-secrets"]
    assert role["token_policies"] == ["wildside-external-secrets-dev"]
    assert role["token_ttl"] == 3600
    two = run_bootstrap(
        bootstrapped.bao.address, *args, "--cluster-config", str(EXAMPLES / "staging.yaml")
    )
    assert two.returncode == 2 and "exactly one --cluster-config" in two.stderr


def test_ci_deployer_approle_logs_in_and_stays_inside_its_paths(
    bootstrapped: Bootstrapped,
) -> None:
    admin = client(bootstrapped.bao, bootstrap_token(bootstrapped))
    role = "auth/approle/role/ci-deployer"
    role_id = admin.read(f"{role}/role-id")["data"]["role_id"]
    secret_id = admin.write_data(f"{role}/secret-id")["data"]["secret_id"]
    settings = admin.read(role)["data"]
    assert settings["token_ttl"] == 1200 and settings["token_max_ttl"] == 3600
    assert settings["secret_id_ttl"] == 0

    ci = client(bootstrapped.bao)
    ci.auth.approle.login(role_id=role_id, secret_id=secret_id)
    kv = ci.secrets.kv.v2
    kv.create_or_update_secret("wildside/previews/pr-7", {"A": "1"}, mount_point="secret")
    kv.create_or_update_secret("wildside/apps/staging", {"B": "2"}, mount_point="secret")
    assert kv.read_secret_version(
        "wildside/previews/pr-7", mount_point="secret", raise_on_deleted_version=True
    )["data"]["data"]
    kv.delete_metadata_and_all_versions("wildside/previews/pr-7", mount_point="secret")
    with pytest.raises(hvac.exceptions.Forbidden):
        kv.create_or_update_secret("wildside/platform/dns", {"C": "3"}, mount_point="secret")
    with pytest.raises(hvac.exceptions.Forbidden):
        kv.create_or_update_secret("other/thing", {"C": "3"}, mount_point="secret")
    with pytest.raises(hvac.exceptions.Forbidden):
        kv.delete_metadata_and_all_versions("wildside/apps/staging", mount_point="secret")
    with pytest.raises(hvac.exceptions.Forbidden):
        ci.sys.create_or_update_acl_policy(
            "wildside-ci-deployer", 'path "*" {capabilities=["sudo"]}'
        )


def initialised_with_root(bao: Bao) -> str:
    """Initialise and unseal by hand; the root token stays with the test."""
    vault = client(bao)
    result = vault.sys.initialize(secret_shares=1, secret_threshold=1)
    vault.sys.submit_unseal_key(result["keys_base64"][0])
    return str(result["root_token"])


EXAMPLES = Path(__file__).parents[2] / "examples" / "clusters"


def test_each_clusters_external_secrets_reads_only_what_it_syncs(make_bao: Any) -> None:
    """One policy per example cluster, derived from what its platform tree
    syncs: a token with it reads exactly those paths, nothing of another
    cluster, no other environment, previews only where they are hosted."""
    bao = make_bao()
    root = initialised_with_root(bao)
    configs = sorted(EXAMPLES.iterdir())
    args = [arg for path in configs for arg in ("--cluster-config", str(path))]
    configured = run_bootstrap(bao.address, *args, "--json", env={"VAULT_TOKEN": root})
    assert configured.returncode == 0, configured.stderr
    admin = client(bao, root)
    clusters = {path.stem: service.load_cluster(path, None, None) for path in configs}
    reaches = {name: vault_reach.reach(cluster) for name, cluster in clusters.items()}
    everything: set[str] = {"wildside/previews/wildside/pr-3", "other/thing"}
    for reach in reaches.values():
        everything |= set(reach.platform_paths)
    everything |= {f"wildside/apps/{env}" for env in ("dev", "staging", "production")}
    for path in everything:
        admin.secrets.kv.v2.create_or_update_secret(path, {"K": path})
    assert len(reaches) == 3
    for name, reach in reaches.items():
        policy = f"wildside-external-secrets-{name}"
        assert statuses(configured.stdout)[f"policy {policy}"] == "created"
        token = admin.auth.token.create(policies=[policy])["auth"]["client_token"]
        kv = client(bao, token).secrets.kv.v2
        allowed = set(reach.platform_paths) | {f"wildside/apps/{e}" for e in reach.environments}
        if reach.previews:
            allowed.add("wildside/previews/wildside/pr-3")
        assert reach.platform_paths, name
        for path in sorted(everything):
            if path in allowed:
                read = kv.read_secret_version(path, raise_on_deleted_version=True)
                assert read["data"]["data"] == {"K": path}
            else:
                with pytest.raises(hvac.exceptions.Forbidden):
                    kv.read_secret_version(path, raise_on_deleted_version=True)
        with pytest.raises(hvac.exceptions.Forbidden):
            kv.create_or_update_secret(sorted(allowed)[0], {"X": "1"})
        with pytest.raises(hvac.exceptions.Forbidden):
            kv.list_secrets("wildside")
        if name != "production":
            with pytest.raises(hvac.exceptions.Forbidden):
                kv.read_secret_version("wildside/apps/production", raise_on_deleted_version=True)
    # The shared name reads nothing (an unconfigured role fails closed).
    shared = admin.auth.token.create(policies=["wildside-external-secrets"])["auth"]
    with pytest.raises(hvac.exceptions.Forbidden):
        client(bao, shared["client_token"]).secrets.kv.v2.read_secret_version(
            "wildside/apps/staging", raise_on_deleted_version=True
        )


def test_no_secret_appears_outside_the_state_file(bootstrapped: Bootstrapped) -> None:
    state = bootstrapped.state()
    state["root_token"] = bootstrapped.root_token  # type: ignore[attr-defined]
    needles = secret_needles(state)
    assert len(needles) >= 11
    haystacks = {f"run {i} stdout": r.stdout for i, r in enumerate(bootstrapped.runs)}
    haystacks |= {f"run {i} stderr": r.stderr for i, r in enumerate(bootstrapped.runs)}
    for directory in (bootstrapped.state_file.parent, bootstrapped.bao.root):
        for path in directory.rglob("*"):
            if path.is_file() and path != bootstrapped.state_file and "data" not in path.parts:
                haystacks[str(path)] = path.read_bytes().decode("utf-8", "replace")
    assert any("bao.log" in name for name in haystacks)
    for name, text in haystacks.items():
        for needle in needles:
            assert needle not in text, f"a secret leaked into {name}"
