"""Starting states other than a clean one: a wrong engine at the mount, a
process killed after any step, no state file, discovery through doctl and
an ssh check (mocked with cmd-mox), and a GPG-encrypted state file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import hvac
import pytest
from cmd_mox import CmdMox

from support.openbao import make_certificate, run_bootstrap, statuses
from support.tools import require_tool


def root_client(bao: Any) -> tuple[hvac.Client, str]:
    vault = hvac.Client(url=bao.address, token="")
    result = vault.sys.initialize(secret_shares=1, secret_threshold=1)
    vault.sys.submit_unseal_key(result["keys_base64"][0])
    vault.token = result["root_token"]
    return vault, str(result["root_token"])


@pytest.mark.parametrize(
    ("mount", "engine", "options", "message"),
    [
        ("legacy", "kv", {"version": "1"}, "legacy/ is KV version 1, not 2"),
        ("crypto", "transit", None, "crypto/ is a 'transit' secrets engine, not KV v2"),
    ],
)
def test_a_wrong_engine_at_the_mount_is_refused(
    make_bao: Any, mount: str, engine: str, options: dict[str, str] | None, message: str
) -> None:
    bao = make_bao()
    vault, root = root_client(bao)
    vault.sys.enable_secrets_engine(engine, path=mount, options=options)
    result = run_bootstrap(bao.address, "--kv-mount", mount, env={"VAULT_TOKEN": root})
    assert result.returncode == 1
    assert message in result.stderr
    assert result.stderr.count("wildside: error:") == 1
    mounts = vault.sys.list_mounted_secrets_engines()["data"]
    assert mounts[f"{mount}/"]["type"] == engine  # untouched


def test_uninitialised_vault_without_state_file_is_refused(make_bao: Any) -> None:
    bao = make_bao()
    result = run_bootstrap(bao.address)
    assert result.returncode == 2
    assert "pass --state-file PATH" in result.stderr
    assert bao.health()["initialized"] is False


def test_state_file_of_another_vault_is_never_overwritten(make_bao: Any, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = run_bootstrap(
        make_bao().address, "--state-file", str(state), "--shares", "1", "--threshold", "1"
    )
    assert first.returncode == 0, first.stderr
    before = state.read_bytes()
    other = make_bao()
    result = run_bootstrap(other.address, "--state-file", str(state))
    assert result.returncode == 2 and "belongs to the Vault at" in result.stderr
    assert state.read_bytes() == before and other.health()["initialized"] is False


@pytest.mark.parametrize(
    "kill_after", ["initialise: created", "unseal: unsealed", "policy wildside-ci-deployer"]
)
def test_killed_after_a_step_then_rerun_converges_without_reinitialising(
    make_bao: Any, tmp_path: Path, kill_after: str
) -> None:
    bao = make_bao()
    state = tmp_path / "state.json"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    environment["VAULT_ADDR"] = bao.address
    process = subprocess.Popen(
        [require_tool("wildside"), "vault", "bootstrap", "--state-file", str(state)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith(kill_after):
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    assert process.returncode == -signal.SIGKILL
    keys = json.loads(state.read_text())["unseal_keys_b64"]

    rerun = run_bootstrap(bao.address, "--state-file", str(state), "--json")
    assert rerun.returncode == 0, rerun.stderr
    assert statuses(rerun.stdout)["initialise"] == "verified"
    assert json.loads(state.read_text())["unseal_keys_b64"] == keys
    again = run_bootstrap(bao.address, "--state-file", str(state), "--json")
    assert json.loads(again.stdout)["changed"] is False


def test_discovery_through_doctl_and_ssh_check_over_tls(
    make_bao: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate, key = make_certificate(tmp_path)
    bao = make_bao(tls=(certificate, key))
    for name in [n for n in os.environ if n.startswith("VAULT_")]:
        monkeypatch.delenv(name)
    droplets = [
        {
            "name": "wildside-dev-0",
            "networks": {
                "v4": [
                    {"type": "private", "ip_address": "10.120.0.2"},
                    {"type": "public", "ip_address": "127.0.0.1"},
                ]
            },
        }
    ]
    state = tmp_path / "state.json"
    with CmdMox() as mox:
        mox.mock("doctl").with_args(
            "compute", "droplet", "list", "--tag-name", "wildside-dev-vault", "--output", "json"
        ).returns(stdout=json.dumps(droplets))
        mox.mock("ssh").with_args(
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=10",
            "root@127.0.0.1",
            "systemctl",
            "is-active",
            "openbao",
        ).returns(stdout="active\n")
        mox.replay()
        result = run_bootstrap(
            None,
            "--environment",
            "dev",
            "--port",
            str(bao.port),
            "--ssh-check",
            "--ca-file",
            str(certificate),
            "--state-file",
            str(state),
            "--json",
            env={"PATH": os.environ["PATH"]},
        )
        mox.verify()
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["address"] == f"https://127.0.0.1:{bao.port}"
    assert statuses(result.stdout)["initialise"] == "created"


def test_no_droplet_with_the_tag_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("VAULT_")]:
        monkeypatch.delenv(name)
    with CmdMox() as mox:
        mox.mock("doctl").with_args(
            "compute", "droplet", "list", "--tag-name", "wildside-vault", "--output", "json"
        ).returns(stdout="[]")
        mox.replay()
        result = run_bootstrap(None, "--unseal-only", env={"PATH": os.environ["PATH"]})
        mox.verify()
    assert result.returncode == 1
    assert "no droplet is tagged 'wildside-vault'" in result.stderr


def test_inactive_service_stops_before_touching_vault(make_bao: Any) -> None:
    bao = make_bao()
    with CmdMox() as mox:
        mox.mock("ssh").with_args(
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=10",
            "admin@127.0.0.1",
            "systemctl",
            "is-active",
            "vault",
        ).returns(stdout="inactive\n", exit_code=3)
        mox.replay()
        result = run_bootstrap(
            bao.address,
            "--ssh-check",
            "--ssh-user",
            "admin",
            "--service",
            "vault",
            env={"PATH": os.environ["PATH"]},
        )
        mox.verify()
    assert result.returncode == 1 and "service 'vault' on 127.0.0.1 is inactive" in result.stderr
    assert bao.health()["initialized"] is False


def test_gpg_encrypted_state_file(
    make_bao: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(home))
    subprocess.run(
        [
            require_tool("gpg"),
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "operator@example.com",
            "default",
            "default",
            "never",
        ],
        check=True,
        capture_output=True,
    )
    bao = make_bao()
    state = tmp_path / "state.gpg"
    args = ["--state-file", str(state), "--state-gpg-recipient", "operator@example.com", "--json"]
    first = run_bootstrap(bao.address, *args)
    assert first.returncode == 0, first.stderr
    text = state.read_text()
    assert text.startswith("-----BEGIN PGP MESSAGE-----")
    assert "unseal_keys_b64" not in text
    second = run_bootstrap(bao.address, *args)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["changed"] is False
    # A later run without the recipient must not rewrite the shares in plain text.
    plain = run_bootstrap(bao.address, "--state-file", str(state), "--json")
    assert plain.returncode == 2
    assert "--state-gpg-recipient" in plain.stderr
    assert state.read_text().startswith("-----BEGIN PGP MESSAGE-----")
