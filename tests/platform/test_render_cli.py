"""`wildside platform render` as a process: Git commits, idempotency, stale
files, isolation between clusters, the tofu outputs contract and bad input."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from wildside.platform import tofu

from conftest import commit_count
from support.platform_tree import EXAMPLES
from support.tools import REPO_ROOT

CONTRACT = REPO_ROOT / "infra" / "renderer-contract.json"


def _files(clone: Path) -> dict[str, str]:
    return {
        p.relative_to(clone).as_posix(): p.read_text()
        for p in clone.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }


def _edit(path: Path, change: Any) -> None:
    document = yaml.safe_load(path.read_text())
    change(document)
    path.write_text(yaml.safe_dump(document))


def test_commit_is_idempotent_and_keeps_flux_bootstrap(
    cli: Any, bare_repo: Path, clone_remote: Any
) -> None:
    first = cli(
        "platform",
        "render",
        "--all",
        "--config-dir",
        str(EXAMPLES),
        "--repo",
        str(bare_repo),
        "--json",
    )
    assert first.returncode == 0, first.stderr
    assert first.json()["changed"] is True and commit_count(bare_repo) == 1
    again = cli(
        "platform",
        "render",
        "--all",
        "--config-dir",
        str(EXAMPLES),
        "--repo",
        str(bare_repo),
        "--json",
    )
    assert again.returncode == 0 and again.json()["changed"] is False
    assert commit_count(bare_repo) == 1

    # flux bootstrap adds clusters/dev/flux-system/: kept and included by the root kustomization
    clone = clone_remote(bare_repo)
    bootstrap = clone / "clusters" / "dev" / "flux-system"
    bootstrap.mkdir()
    (bootstrap / "kustomization.yaml").write_text("resources: [gotk-components.yaml]\n")
    subprocess.run(["git", "-C", str(clone), "add", "-A"], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(clone),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "commit",
            "-qm",
            "bootstrap",
        ],
        check=True,
    )
    subprocess.run(["git", "-C", str(clone), "push", "-q", "origin", "HEAD:main"], check=True)
    third = cli(
        "platform",
        "render",
        "--cluster",
        "dev",
        "--config-dir",
        str(EXAMPLES),
        "--repo",
        str(bare_repo),
        "--json",
    )
    assert third.returncode == 0, third.stderr
    assert third.json()["files"] == ["clusters/dev/kustomization.yaml"]
    files = _files(clone_remote(bare_repo))
    assert "clusters/dev/flux-system/kustomization.yaml" in files
    assert "- flux-system" in files["clusters/dev/kustomization.yaml"]


def test_embedded_default_repository(cli: Any, tmp_path: Path) -> None:
    result = cli(
        "platform", "render", "--all", "--config-dir", str(EXAMPLES), "--json", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.json()["repo"].endswith(".wildside/infra.git")
    assert commit_count(tmp_path / ".wildside" / "infra.git") == 1


def test_a_change_to_one_cluster_leaves_the_others_untouched(
    cli: Any, config_dir: Path, tmp_path: Path
) -> None:
    output = tmp_path / "tree"
    assert (
        cli(
            "platform", "render", "--all", "--config-dir", str(config_dir), "--output", str(output)
        ).returncode
        == 0
    )
    before = _files(output)
    _edit(config_dir / "dev.yaml", lambda d: d["components"]["traefik"].update(replicas=2))
    result = cli(
        "platform",
        "render",
        "--all",
        "--config-dir",
        str(config_dir),
        "--output",
        str(output),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert result.json()["files"] == ["clusters/dev/cluster-vars.yaml"]
    after = _files(output)
    assert {k: v for k, v in after.items() if not k.startswith("clusters/dev/")} == {
        k: v for k, v in before.items() if not k.startswith("clusters/dev/")
    }


def test_removing_a_component_removes_its_files(cli: Any, config_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "tree"
    assert (
        cli(
            "platform", "render", "--all", "--config-dir", str(config_dir), "--output", str(output)
        ).returncode
        == 0
    )
    assert (output / "platform" / "redis").is_dir()
    (output / "platform" / "stray.yaml").write_text("kind: Stray\n")
    _edit(config_dir / "dev.yaml", lambda d: d["components"].pop("redis"))
    assert (
        cli(
            "platform",
            "render",
            "--cluster",
            "dev",
            "--config-dir",
            str(config_dir),
            "--output",
            str(output),
        ).returncode
        == 0
    )
    assert (
        "redis" not in (output / "clusters" / "dev" / "configs" / "kustomization.yaml").read_text()
    )
    assert (output / "platform" / "redis").is_dir(), "staging and production still use it"
    assert not (output / "platform" / "stray.yaml").exists()
    for name in ("staging.yaml", "production.toml"):
        path = config_dir / name
        if name.endswith(".toml"):
            text = path.read_text()
            path.write_text(re.sub(r"\[components\.redis\]\n[^\[]*", "", text))
        else:
            _edit(path, lambda d: d["components"].pop("redis"))
    result = cli(
        "platform", "render", "--all", "--config-dir", str(config_dir), "--output", str(output)
    )
    assert result.returncode == 0, result.stderr
    assert not (output / "platform" / "redis").exists()
    assert not (output / "platform" / "sources" / "valkey").exists()
    assert (
        "redis_password_path" not in (output / "clusters" / "dev" / "cluster-vars.yaml").read_text()
    )


def _bad(cli: Any, config_dir: Path, tmp_path: Path, *extra: str) -> str:
    output = tmp_path / "out"
    result = cli(
        "platform", "render", "--config-dir", str(config_dir), "--output", str(output), *extra
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("wildside: error: ") and result.stderr.count("\n") == 1
    assert not output.exists(), "nothing may be written on bad input"
    return result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["components"].update(mystery={}), "unknown component 'mystery'"),
        (lambda d: d.update(preview_domain="not a domain"), "preview_domain"),
        (lambda d: d.update(preview_domain="previews.other.org"), "not inside dns.zone"),
        (lambda d: d["components"]["cert-manager"].pop("acme_email"), "acme_email"),
        (lambda d: d["dns"].pop("token_path"), "token_path"),
        (lambda d: d.pop("dns"), "needs dns.zone and dns.token_path"),
        (lambda d: d["components"].pop("vault"), "needs the vault component"),
        (
            lambda d: d["components"]["databases"].update(backup={"destination": "http://x"}),
            "backup",
        ),
        (lambda d: d.update(name="Dev_Cluster"), "name"),
        (lambda d: d["apps"].update(overlays=["staging"]), "apps.hosts.staging is missing"),
        (lambda d: d["apps"].update(hosts={"staging": "s.example.com"}), "overlays does not list"),
        (
            lambda d: d["apps"].update(overlays=["staging"], hosts={"staging": "s.other.org"}),
            "apps.hosts.staging 's.other.org' is not inside dns.zone",
        ),
    ],
)
def test_bad_configuration_is_refused(
    cli: Any, config_dir: Path, tmp_path: Path, change: Any, message: str
) -> None:
    _edit(config_dir / "dev.yaml", change)
    assert message in _bad(cli, config_dir, tmp_path, "--all")


def test_bad_options_are_refused(cli: Any, config_dir: Path, tmp_path: Path) -> None:
    assert "RFC 1123" in _bad(cli, config_dir, tmp_path, "--cluster", "Bad_Name")
    assert "no configuration" in _bad(cli, config_dir, tmp_path, "--cluster", "qa")
    assert "--all" in _bad(cli, config_dir, tmp_path)
    (config_dir / "evil.yaml").write_text("name: ../evil\n")
    assert "differs from the file name" in _bad(cli, config_dir, tmp_path, "--cluster", "evil")


def test_output_outside_the_repository_is_refused(tmp_path: Path) -> None:
    from wildside.core.errors import BadInput
    from wildside.gitops import tree

    with pytest.raises(BadInput, match="outside the repository"):
        tree.sync_directory(tmp_path, "platform/../../escape", {"a.yaml": "x"})
    assert not (tmp_path.parent / "escape").exists()


def _outputs(**values: Any) -> dict[str, Any]:
    return {
        name: {"value": value, "type": "string", "sensitive": False}
        for name, value in values.items()
    }


def test_model_reads_exactly_the_contract_outputs() -> None:
    contract = json.loads(CONTRACT.read_text())
    assert set(contract["outputs"]) == set(tofu.CONTRACT_NAMES)


def test_tofu_outputs_fill_the_configuration(cli: Any, config_dir: Path, tmp_path: Path) -> None:
    outputs = tmp_path / "dev-outputs.json"
    document = _outputs(
        cluster_name="dev",
        region="fra1",
        vault_address="https://vault.internal.example.com:8200",
        vault_ca_cert_pem="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        traefik_load_balancer_id="lb-1234",
        external_secrets_namespace="external-secrets",
        flux_path="clusters/dev",
        backups_vault_secret_keys=None,
    )
    document["unrelated_output"] = {
        "value": "ignored",
        "sensitive": True,
    }  # not in the contract: never read
    _edit(config_dir / "dev.yaml", lambda d: d["vault"].pop("address"))
    _edit(config_dir / "dev.yaml", lambda d: d["vault"].pop("ca_certificate"))
    outputs.write_text(json.dumps(document))
    output = tmp_path / "tree"
    result = cli(
        "platform",
        "render",
        "--all",
        "--config-dir",
        str(config_dir),
        "--tofu-outputs",
        str(outputs),
        "--output",
        str(output),
    )
    assert result.returncode == 0, result.stderr
    dev = output / "clusters" / "dev"
    assert (
        "vault_address: https://vault.internal.example.com:8200"
        in (dev / "cluster-vars.yaml").read_text()
    )
    assert "BEGIN CERTIFICATE" in (dev / "configs" / "vault" / "vault-ca.yaml").read_text()
    assert "lb-1234" in (dev / "controllers" / "traefik" / "patch-load-balancer.yaml").read_text()
    assert (
        "vault.internal" not in (output / "clusters" / "staging" / "cluster-vars.yaml").read_text()
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"acme_email": {"value": "a@b.c", "sensitive": True}}, "sensitive"),
        (_outputs(cluster_name="dev", redis_namespace="cache"), "redis_namespace"),
        (_outputs(cluster_name="dev", vault_address="https://other.example.com"), "vault.address"),
        (_outputs(cluster_name="qa"), "not rendered"),
    ],
)
def test_bad_tofu_outputs_are_refused(
    cli: Any, config_dir: Path, tmp_path: Path, document: Any, message: str
) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(document))
    assert message in _bad(cli, config_dir, tmp_path, "--all", "--tofu-outputs", str(path))
