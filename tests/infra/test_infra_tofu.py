"""The real OpenTofu on every module, example and root: fmt, init from the local provider
mirror, validate, and `tofu test` (mock providers, no credentials, no network).

OpenTofu and the providers are built from pinned Go modules by scripts/tofu-mirror.sh
(scripts/test.sh runs it first, with progress); a missing toolchain fails these tests.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from support.infra_hcl import (
    INFRA,
    MODULE_NAMES,
    MODULES_DIR,
    REPO,
    ROOTS,
    load_dir,
    parse_file,
    rel,
    tf_dirs,
    unquote,
)
from support.tofu import Tofu, copy_infra, terraform_docs, tofu

DIRS = tf_dirs()
TESTED_DIRS = [*(MODULES_DIR / name for name in MODULE_NAMES), *ROOTS]
PROVIDERS_DIR = REPO / "engines" / "providers"

# Each defect of issue 17 and the `tofu test` run that fails without its fix.
REGRESSIONS = {
    "cluster_ca_certificate derived from the sensitive kube_config": [
        ("modules/doks/tests/doks.tftest.hcl", "outputs_and_their_sensitivity"),
        ("clusters/tests/cluster.tftest.hcl", "phase_one_creates_the_cluster_without_flux"),
    ],
    "flux2-sync objects not named what the renderer references": [
        (
            "modules/fluxcd/tests/fluxcd.tftest.hcl",
            "the_source_is_named_what_the_renderer_references",
        ),
        ("clusters/tests/cluster.tftest.hcl", "phase_two_installs_flux_into_the_existing_cluster"),
    ],
    "coalesce() broke bucket_name in cnpg": [
        ("modules/cnpg/tests/cnpg.tftest.hcl", "explicit_bucket_name"),
    ],
    "the gate's default destroyed the cluster": [
        ("clusters/tests/gate.tftest.hcl", "refuses_switching_the_gate_off"),
    ],
    "providers configured from a cluster created in the same apply": [
        ("clusters/tests/cluster.tftest.hcl", "phase_one_creates_the_cluster_without_flux"),
        ("clusters/tests/cluster.tftest.hcl", "install_flux_needs_the_gate"),
    ],
    "the backup lifecycle expired the only base backup": [
        ("modules/cnpg/tests/cnpg.tftest.hcl", "the_bucket_never_expires_current_backups"),
    ],
    "sealed nodes stayed in the load balancer's rotation": [
        (
            "modules/vault_appliance/tests/vault_appliance.tftest.hcl",
            "sealed_nodes_leave_the_load_balancer",
        ),
    ],
    "the Vault load balancer open to the internet, UI on": [
        (
            "modules/vault_appliance/tests/vault_appliance.tftest.hcl",
            "load_balancer_restricted_and_ui_off_by_default",
        ),
        (
            "modules/vault_appliance/tests/vault_appliance.tftest.hcl",
            "rejects_an_empty_load_balancer_allow_list",
        ),
    ],
    "no control-plane firewall": [
        ("modules/doks/tests/doks.tftest.hcl", "kubernetes_minor_and_control_plane_firewall"),
    ],
    "state encryption by environment variable alone": [
        ("clusters/tests/cluster.tftest.hcl", "state_passphrase_must_be_long"),
        ("vault/tests/vault.tftest.hcl", "state_passphrase_must_be_long"),
    ],
    "the operator policy could write policies and bind any of them": [
        (
            "modules/vault_eso/tests/vault_eso.tftest.hcl",
            "mount_and_role_binding_the_pre_created_policy",
        ),
        (
            "modules/vault_eso/tests/vault_eso.tftest.hcl",
            "rejects_a_policy_the_operator_may_not_bind",
        ),
    ],
    "no Raft snapshots": [
        ("modules/vault_appliance/tests/vault_appliance.tftest.hcl", "raft_snapshots_to_spaces"),
    ],
    "no audit device": [
        ("modules/vault_appliance/tests/vault_appliance.tftest.hcl", "every_request_is_audited"),
    ],
    "the CA private key travelled in droplet user_data": [
        ("modules/vault_appliance/tests/vault_appliance.tftest.hcl", "no_private_key_in_user_data"),
    ],
    "server certificates lasted 825 days and nothing renewed them": [
        (
            "modules/vault_appliance/tests/vault_appliance.tftest.hcl",
            "node_certificates_name_every_address_and_renew",
        ),
    ],
    "the provider's child token outlived by a long apply": [
        ("clusters/tests/cluster.tftest.hcl", "vault_tokens_outlive_an_apply"),
    ],
}


def ids(paths: list[Path]) -> list[str]:
    return [rel(p) for p in paths]


@pytest.fixture(scope="session")
def tf() -> Tofu:
    return tofu()


@pytest.fixture(scope="session")
def infra_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_infra(tmp_path_factory.mktemp("tofu"))


_initialised: set[Path] = set()


def initialised(tf: Tofu, copy: Path, directory: Path) -> Path:
    """`tofu init` of one directory of the copy, from the mirror; roots must keep their lock."""
    target = copy / directory.relative_to(INFRA)
    if target not in _initialised:
        args = ["init", "-backend=false", "-input=false", "-no-color"]
        if directory in ROOTS:
            # The committed lock file must already list every provider with a hash that
            # matches the mirror's builds; readonly fails instead of rewriting it.
            args.append("-lockfile=readonly")
        done = tf.run(target, *args)
        assert done.returncode == 0, (
            f"tofu init failed in {rel(directory)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
        _initialised.add(target)
    return target


def test_tofu_fmt_accepts_every_file(tf: Tofu, infra_copy: Path) -> None:
    done = tf.run(infra_copy, "fmt", "-check", "-recursive", "-diff", "-no-color")
    assert done.returncode == 0, (
        f"tofu fmt -recursive infra would change:\n{done.stdout[-4000:]}{done.stderr}"
    )


@pytest.mark.parametrize("directory", DIRS, ids=ids(DIRS))
def test_tofu_validate(tf: Tofu, infra_copy: Path, directory: Path) -> None:
    target = initialised(tf, infra_copy, directory)
    done = tf.run(target, "validate", "-json", "-no-color")
    report = json.loads(done.stdout or "{}")
    problems = [
        f"{d.get('severity')}: {d.get('summary')} - {d.get('detail', '')} ({d.get('range', {}).get('filename')})"
        for d in report.get("diagnostics", [])
    ]
    assert done.returncode == 0 and report.get("valid") is True, "\n".join(problems) or done.stderr
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("directory", TESTED_DIRS, ids=ids(TESTED_DIRS))
def test_tofu_test(tf: Tofu, infra_copy: Path, directory: Path) -> None:
    target = initialised(tf, infra_copy, directory)
    done = tf.run(target, "test", "-no-color")
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"tofu test failed in {rel(directory)}:\n{output[-6000:]}"
    summary = re.search(r"Success! (\d+) passed, 0 failed", output)
    assert summary and int(summary.group(1)) > 0, output[-3000:]


@pytest.mark.parametrize("directory", TESTED_DIRS, ids=ids(TESTED_DIRS))
def test_every_module_and_root_has_tofu_tests(directory: Path) -> None:
    files = sorted((directory / "tests").glob("*.tftest.hcl"))
    assert files, f"{rel(directory)} has no tests/*.tftest.hcl"
    text = "".join(f.read_text(encoding="utf-8") for f in files)
    assert "mock_provider" in text, "tests must mock the providers (no credentials, no network)"
    assert "expect_failures" in text, "tests must exercise the variable validations"


@pytest.mark.parametrize("defect", sorted(REGRESSIONS))
def test_every_defect_has_a_regression_test(defect: str) -> None:
    for file, run in REGRESSIONS[defect]:
        text = (INFRA / file).read_text(encoding="utf-8")
        assert re.search(rf'^run "{run}" {{', text, flags=re.MULTILINE), (
            f"{file} lacks run {run!r} ({defect})"
        )


def mirror_versions() -> dict[str, str]:
    """provider source (registry.opentofu.org/ns/type) -> version in the mirror."""
    versions = {}
    for file in sorted(PROVIDERS_DIR.glob("*/provider.txt")):
        lines = [
            ln
            for ln in file.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")
        ]
        source, version = lines[0].split()
        versions[f"registry.opentofu.org/{source}"] = version
    return versions


@pytest.mark.parametrize("root", ROOTS, ids=ids(list(ROOTS)))
def test_roots_commit_a_lock_file_of_the_mirror_versions(root: Path) -> None:
    lock = root / ".terraform.lock.hcl"
    assert lock.is_file(), f"{rel(root)} has no .terraform.lock.hcl"
    locked = {
        name.strip('"'): body
        for block in parse_file(lock).get("provider", [])
        for name, body in block.items()
    }
    versions = mirror_versions()
    assert locked, "the lock file lists no provider"
    for source, body in locked.items():
        version = unquote(body["version"])
        assert version == versions[source], f"{source}: locked {version}, mirror {versions[source]}"
        assert any(unquote(h).startswith("h1:") for h in body["hashes"]), f"{source}: no h1: hash"


@pytest.mark.parametrize("module", [MODULES_DIR / n for n in MODULE_NAMES], ids=list(MODULE_NAMES))
def test_module_readme_is_what_terraform_docs_generates(module: Path) -> None:
    done = subprocess.run(
        [
            terraform_docs(),
            "--config",
            str(INFRA / ".terraform-docs.yml"),
            "--output-check",
            str(module),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, (
        f"{rel(module)}/README.md is out of date: run terraform-docs --config infra/.terraform-docs.yml "
        f"{rel(module)}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    )


@pytest.mark.parametrize("directory", TESTED_DIRS, ids=ids(TESTED_DIRS))
def test_every_variable_validation_is_exercised_by_a_tofu_test(directory: Path) -> None:
    validated = {
        name for name, body in load_dir(directory).variables.items() if body.get("validation")
    }
    text = "".join(
        f.read_text(encoding="utf-8") for f in (directory / "tests").glob("*.tftest.hcl")
    )
    expected = {
        name
        for block in re.findall(r"expect_failures\s*=\s*\[([^\]]*)\]", text)
        for name in re.findall(r"var\.([a-z0-9_]+)", block)
    }
    missing = sorted(validated - expected)
    assert not missing, (
        f"{rel(directory)}: no tofu test expects these validations to fail: {missing}"
    )
