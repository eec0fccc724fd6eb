"""The defect of issue 12, as a user met it: `up --database --secrets`
against a real Vault, then the workflow's plain `up` (only a new SHA, no Vault
in its environment). The second run used to delete database.yaml and
external-secret.yaml, so Flux pruned the database and the Vault path was
orphaned. The record keeps both, the chart keeps both Secret names, and
Vault is not contacted again. And `down` removes the path of a preview that
stopped using it (--no-secrets)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hvac
import hvac.exceptions
import pytest
import yaml

from conftest import commit_count
from support import kustomize
from support.openbao import run_bootstrap

SHA_A = "a" * 40
SHA_B = "b" * 40
PATH = "wildside/previews/wildside/pr-21"


def bootstrapped(make_bao: Any) -> tuple[hvac.Client, dict[str, str]]:
    """A bootstrapped Vault and the CI deployer's AppRole credentials."""
    bao = make_bao()
    root = hvac.Client(url=bao.address, token="")
    init = root.sys.initialize(secret_shares=1, secret_threshold=1)
    root.sys.submit_unseal_key(init["keys_base64"][0])
    root.token = init["root_token"]
    configured = run_bootstrap(bao.address, env={"VAULT_TOKEN": init["root_token"]})
    assert configured.returncode == 0, configured.stderr
    role = "auth/approle/role/ci-deployer"
    env = {
        "VAULT_ADDR": bao.address,
        "VAULT_ROLE_ID": root.read(f"{role}/role-id")["data"]["role_id"],
        "VAULT_SECRET_ID": root.write_data(f"{role}/secret-id")["data"]["secret_id"],
    }
    return root, env


def test_a_plain_up_after_database_and_secrets_keeps_both(
    cli: Any, bare_repo: Path, clone_remote: Any, make_bao: Any
) -> None:
    root, env = bootstrapped(make_bao)
    repo = ["--repo", str(bare_repo)]
    assert cli("apps", "init", *repo, "-q").returncode == 0
    first = cli(
        "preview", "up", *repo, "--pr", "21", "--sha", SHA_A, "--database", "--secrets",
        "--generate-secret", "SESSION_KEY", "--json", "-q", env=env,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    seeded = root.secrets.kv.v2.read_secret_version(PATH, raise_on_deleted_version=True)
    overlay = clone_remote(bare_repo) / "overlays/ephemeral/pr-21"
    before = {p.name for p in overlay.iterdir()}
    assert {"database.yaml", "external-secret.yaml"} <= before

    no_vault = {"VAULT_ADDR": "", "VAULT_TOKEN": "", "VAULT_ROLE_ID": "", "VAULT_SECRET_ID": ""}
    plain = cli("preview", "up", *repo, "--pr", "21", "--sha", SHA_B, "--json", "-q", env=no_vault)
    assert plain.returncode == 0, plain.stderr
    assert plain.json()["changed"] is True
    assert (plain.json()["options"]["database"], plain.json()["options"]["secrets"]) == (True, True)
    assert plain.json()["secrets"] is None  # Vault was not asked for anything

    overlay = clone_remote(bare_repo) / "overlays/ephemeral/pr-21"
    assert {p.name for p in overlay.iterdir()} == before
    objects = kustomize.build(overlay)
    kinds = [o["kind"] for o in objects]
    assert "Database" in kinds and "Job" in kinds
    assert {o["metadata"]["name"] for o in kustomize.by_kind(objects, "ExternalSecret")} >= {
        "wildside-env"
    }
    patch = yaml.safe_load((overlay / "patch-helmrelease-values.yaml").read_text())
    values = patch["spec"]["values"]
    assert values["secrets"]["existingSecret"] == "wildside-env"
    assert values["database"]["existingSecret"] == "wildside-database"
    assert values["backend"]["image"]["tag"] == SHA_B
    after = root.secrets.kv.v2.read_secret_version(PATH, raise_on_deleted_version=True)
    assert after["data"]["metadata"]["version"] == seeded["data"]["metadata"]["version"]

    count = commit_count(bare_repo)
    again = cli("preview", "up", *repo, "--pr", "21", "--sha", SHA_B, "--json", "-q", env=no_vault)
    assert again.returncode == 0 and again.json()["changed"] is False
    assert commit_count(bare_repo) == count


def test_down_removes_the_path_of_a_preview_switched_to_no_secrets(
    cli: Any, bare_repo: Path, clone_remote: Any, make_bao: Any
) -> None:
    root, env = bootstrapped(make_bao)
    repo = ["--repo", str(bare_repo)]
    assert cli("apps", "init", *repo, "-q").returncode == 0
    seeded = cli(
        "preview", "up", *repo, "--pr", "22", "--sha", SHA_A, "--generate-secret", "SESSION_KEY",
        "-q", env=env,
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    off = cli("preview", "up", *repo, "--pr", "22", "--sha", SHA_A, "--no-secrets", "-q", env=env)
    assert off.returncode == 0, off.stderr
    files = {p.name for p in (clone_remote(bare_repo) / "overlays/ephemeral/pr-22").iterdir()}
    assert "external-secret.yaml" not in files
    path = "wildside/previews/wildside/pr-22"
    assert root.secrets.kv.v2.read_secret_metadata(path)  # kept while the preview lives

    down = cli("preview", "down", *repo, "--pr", "22", "--json", "-q", env=env)
    assert down.returncode == 0, down.stderr
    assert down.json()["secrets_removed"] is True
    assert down.json()["left_behind"] == [] and down.stderr == ""
    with pytest.raises(hvac.exceptions.InvalidPath):
        root.secrets.kv.v2.read_secret_metadata(path)
