"""`wildside preview up --secrets` seeds Vault and renders an ExternalSecret;
nothing secret reaches Git; `down` removes the Vault path."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import hvac
import hvac.exceptions
import pytest

from support import kustomize, schemas
from support.openbao import run_bootstrap

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def vault(make_bao: Any) -> tuple[hvac.Client, dict[str, str]]:
    """A bootstrapped Vault, its root client (the test's own) and the CI
    deployer's AppRole credentials, as CI would hold them."""
    bao = make_bao()
    root = hvac.Client(url=bao.address, token="")
    init = root.sys.initialize(secret_shares=1, secret_threshold=1)
    root.sys.submit_unseal_key(init["keys_base64"][0])
    root.token = init["root_token"]
    configured = run_bootstrap(bao.address, env={"VAULT_TOKEN": init["root_token"]})
    assert configured.returncode == 0, configured.stderr
    root.secrets.kv.v2.create_or_update_secret(
        "wildside/apps/staging", {"DATABASE_PASSWORD": "staging-pw-5e3f9", "API_KEY": "k-81aa"}
    )
    role = "auth/approle/role/ci-deployer"
    env = {
        "VAULT_ADDR": bao.address,
        "VAULT_ROLE_ID": root.read(f"{role}/role-id")["data"]["role_id"],
        "VAULT_SECRET_ID": root.write_data(f"{role}/secret-id")["data"]["secret_id"],
    }
    return root, env


def preview_data(root: hvac.Client, pr: int) -> dict[str, str]:
    response = root.secrets.kv.v2.read_secret_version(
        f"wildside/previews/wildside/pr-{pr}", raise_on_deleted_version=True
    )
    return dict(response["data"]["data"])


def test_preview_secrets_flow_from_vault_to_an_external_secret(
    cli: Any, bare_repo: Path, clone_remote: Any, vault: tuple[hvac.Client, dict[str, str]]
) -> None:
    root, env = vault
    assert cli("apps", "init", "--repo", str(bare_repo)).returncode == 0
    args = [
        "preview",
        "up",
        "--pr",
        "42",
        "--sha",
        SHA,
        "--repo",
        str(bare_repo),
        "--seed-secrets-from",
        "wildside/apps/staging",
        "--generate-secret",
        "SESSION_KEY",
        "--json",
    ]
    first = cli(*args, env=env)
    assert first.returncode == 0, first.stderr
    assert first.json()["secrets"]["generated"] == ["SESSION_KEY"]
    seeded = preview_data(root, 42)
    assert seeded["DATABASE_PASSWORD"] == "staging-pw-5e3f9"
    assert len(seeded["SESSION_KEY"]) >= 48

    second = cli(*args, env=env)
    assert second.returncode == 0, second.stderr
    assert second.json()["changed"] is False
    assert second.json()["secrets"]["written"] is False
    assert preview_data(root, 42) == seeded  # never regenerated

    worktree = clone_remote(bare_repo)
    overlay = worktree / "overlays/ephemeral/pr-42"
    objects = kustomize.build(overlay)
    schemas.validate_all(objects)
    [external] = kustomize.by_kind(objects, "ExternalSecret")
    assert external["metadata"]["name"] == "wildside-env"
    assert external["metadata"]["namespace"] == "wildside-pr-42"
    assert external["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "vault"}
    assert external["spec"]["dataFrom"] == [
        {"extract": {"key": "wildside/previews/wildside/pr-42"}}
    ]
    [release] = kustomize.by_kind(objects, "HelmRelease")
    assert release["spec"]["values"]["secrets"]["existingSecret"] == "wildside-env"
    for environment in ("production", "staging"):
        long_lived = kustomize.build(worktree / "overlays" / environment)
        schemas.validate_all(long_lived)
        [reference] = kustomize.by_kind(long_lived, "ExternalSecret")
        assert reference["spec"]["dataFrom"] == [
            {"extract": {"key": f"wildside/apps/{environment}"}}
        ]

    history = subprocess.run(
        ["git", "--git-dir", str(bare_repo), "log", "-p", "--all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "wildside/previews/wildside/pr-42" in history
    for value in [*seeded.values(), env["VAULT_SECRET_ID"]]:
        assert value not in history
        assert value not in first.stdout + first.stderr + second.stdout + second.stderr

    down = cli("preview", "down", "--pr", "42", "--repo", str(bare_repo), "--json", env=env)
    assert down.returncode == 0, down.stderr
    assert down.json()["secrets_removed"] is True
    with pytest.raises(hvac.exceptions.InvalidPath):
        root.secrets.kv.v2.read_secret_metadata("wildside/previews/wildside/pr-42")
    again = cli("preview", "down", "--pr", "42", "--repo", str(bare_repo), "--json", env=env)
    assert again.returncode == 0 and again.json()["secrets_removed"] is False


def test_bad_secret_options_are_refused_before_anything_is_written(
    cli: Any, bare_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("VAULT_ADDR", "VAULT_TOKEN", "VAULT_ROLE_ID", "VAULT_SECRET_ID"):
        monkeypatch.delenv(name, raising=False)
    assert cli("apps", "init", "--repo", str(bare_repo)).returncode == 0
    before = subprocess.run(
        ["git", "--git-dir", str(bare_repo), "rev-parse", "main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for extra in (["--generate-secret", "1BAD"], ["--seed-secrets-from", "../etc"], ["--secrets"]):
        result = cli("preview", "up", "--pr", "7", "--sha", SHA, "--repo", str(bare_repo), *extra)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("wildside: error: ")
    after = subprocess.run(
        ["git", "--git-dir", str(bare_repo), "rev-parse", "main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert before == after


def test_gc_removes_the_vault_paths_of_the_previews_it_removes(
    cli: Any, bare_repo: Path, vault: tuple[hvac.Client, dict[str, str]]
) -> None:
    from support.github_server import FakeGitHub

    root, env = vault
    assert cli("apps", "init", "--repo", str(bare_repo)).returncode == 0
    for pr in (5, 6):
        up = cli(
            "preview",
            "up",
            "--pr",
            str(pr),
            "--sha",
            SHA,
            "--repo",
            str(bare_repo),
            "--generate-secret",
            "SESSION_KEY",
            env=env,
        )
        assert up.returncode == 0, up.stderr
    github = FakeGitHub().start()
    try:
        github.pulls.update({5: "closed", 6: "open"})
        collected = cli(
            "preview", "gc", "--repo", str(bare_repo), "--json", env={**env, **github.env()}
        )
    finally:
        github.stop()
    assert collected.returncode == 0, collected.stderr
    assert collected.json()["secrets_removed"] == [5]
    with pytest.raises(hvac.exceptions.InvalidPath):
        preview_data(root, 5)
    assert "SESSION_KEY" in preview_data(root, 6)


@pytest.mark.parametrize(
    ("source", "allow", "message"),
    [
        ("wildside/apps/production", None, "is a production path"),
        ("wildside/apps/production/db", "wildside/apps", "is a production path"),
        ("wildside/apps/dev", None, "is not an allowed seed source (wildside/apps/staging)"),
        ("wildside/apps/staging", "wildside/apps/production", "never seed a preview"),
    ],
)
def test_seeding_only_from_the_allow_list(
    cli: Any,
    bare_repo: Path,
    vault: tuple[hvac.Client, dict[str, str]],
    source: str,
    allow: str | None,
    message: str,
) -> None:
    root, env = vault
    root.secrets.kv.v2.create_or_update_secret("wildside/apps/production", {"DB": "prod-pw"})
    assert cli("apps", "init", "--repo", str(bare_repo)).returncode == 0
    extra = {"WILDSIDE_SEED_ALLOW": allow} if allow else {}
    result = cli(
        "preview", "up", "--pr", "9", "--sha", SHA, "--repo", str(bare_repo),
        "--seed-secrets-from", source, env=env | extra,
    )  # fmt: skip
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1
    with pytest.raises(hvac.exceptions.InvalidPath):
        root.secrets.kv.v2.read_secret_version(
            "wildside/previews/wildside/pr-9", raise_on_deleted_version=True
        )


def test_an_allowed_seed_source_beyond_staging(
    cli: Any, bare_repo: Path, vault: tuple[hvac.Client, dict[str, str]]
) -> None:
    root, env = vault
    root.secrets.kv.v2.create_or_update_secret("wildside/apps/dev", {"TOKEN": "dev-1"})
    assert cli("apps", "init", "--repo", str(bare_repo)).returncode == 0
    allow = {"WILDSIDE_SEED_ALLOW": "wildside/apps/staging, wildside/apps/dev"}
    result = cli(
        "preview", "up", "--pr", "9", "--sha", SHA, "--repo", str(bare_repo),
        "--seed-secrets-from", "wildside/apps/dev", env=env | allow,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert preview_data(root, 9) == {"TOKEN": "dev-1"}


def test_the_ci_deployer_cannot_touch_production(
    vault: tuple[hvac.Client, dict[str, str]],
) -> None:
    """Even past the CLI's allow-list: the deployer's own token gets 403."""
    root, env = vault
    for path in ("wildside/apps/production", "wildside/apps/production/db"):
        root.secrets.kv.v2.create_or_update_secret(path, {"DB": "prod-pw"})
    deployer = hvac.Client(url=env["VAULT_ADDR"], token="")
    deployer.auth.approle.login(role_id=env["VAULT_ROLE_ID"], secret_id=env["VAULT_SECRET_ID"])
    kv = deployer.secrets.kv.v2
    assert kv.read_secret_version("wildside/apps/staging", raise_on_deleted_version=True)
    for path in ("wildside/apps/production", "wildside/apps/production/db"):
        with pytest.raises(hvac.exceptions.Forbidden):
            kv.read_secret_version(path, raise_on_deleted_version=True)
        with pytest.raises(hvac.exceptions.Forbidden):
            kv.create_or_update_secret(path, {"DB": "overwritten"})
        with pytest.raises(hvac.exceptions.Forbidden):
            kv.read_secret_metadata(path)
    with pytest.raises(hvac.exceptions.Forbidden):
        kv.list_secrets("wildside/apps/production")
