"""A state file belongs to one Vault (real OpenBao servers): used against
another one it exits 2 and changes nothing; a refused root token is never
taken for a revoked one; a GPG recipient that cannot encrypt stops the
bootstrap before init."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import hvac
import pytest

from wildside.vault.bootstrap import UNSEAL_KEYS_ENV

from support.openbao import Bao, run_bootstrap, statuses
from support.tools import require_tool


def initialise_by_hand(bao: Bao) -> str:
    vault = hvac.Client(url=bao.address, token="")
    result = vault.sys.initialize(secret_shares=1, secret_threshold=1)
    vault.sys.submit_unseal_key(result["keys_base64"][0])
    return str(result["root_token"])


def token_valid(bao: Bao, token: str) -> bool:
    try:
        hvac.Client(url=bao.address, token=token).lookup_token()
    except hvac.exceptions.Forbidden:
        return False
    return True


def test_another_vault_at_the_same_address_is_refused_by_its_cluster_id(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """The reported case: A's state file against B. A's live root token and
    bootstrap credential stay in A's file, byte for byte."""
    first = Bao(tmp_path_factory.mktemp("bao-a"), storage="raft")
    first.start()
    second: Bao | None = None
    try:
        state = tmp_path / "a.json"
        created = run_bootstrap(first.address, "--state-file", str(state), "--keep-root-token")
        assert created.returncode == 0, created.stderr
        document = json.loads(state.read_text())
        assert document["cluster_id"] == first.health()["cluster_id"]
        before = state.read_bytes()
        first.stop()
        second = Bao(tmp_path_factory.mktemp("bao-b"), storage="inmem", port=first.port)
        second.start()
        initialise_by_hand(second)
        result = run_bootstrap(second.address, "--state-file", str(state))
        assert result.returncode == 2
        line = result.stderr.splitlines()[-1]
        assert f"belongs to the Vault with cluster id {document['cluster_id']}" in line
        assert "nothing was changed" in line
        assert state.read_bytes() == before
        second.stop()
        first.start()  # back, sealed: the file still unseals and verifies its own Vault
        rerun = run_bootstrap(
            first.address, "--state-file", str(state), "--keep-root-token", "--json"
        )
        assert rerun.returncode == 0, rerun.stderr
        assert statuses(rerun.stdout)["unseal"] == "unsealed"
        assert token_valid(first, document["root_token"])
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_another_sealed_vault_at_the_same_address_is_refused_by_its_shares(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """Sealed, B shows no cluster id and has A's address: A's shares are
    offered, B rejects them, and that is the mismatch (exit 2, file intact,
    B's unseal progress reset)."""
    first = Bao(tmp_path_factory.mktemp("bao-a"), storage="inmem")
    second = Bao(tmp_path_factory.mktemp("bao-b"), storage="inmem", port=first.port)
    state = tmp_path / "a.json"
    try:
        first.start()
        created = run_bootstrap(
            first.address, "--state-file", str(state), "--keep-root-token",
            "--shares", "3", "--threshold", "2",
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        cluster_id = json.loads(state.read_text())["cluster_id"]
        before = state.read_bytes()
        first.stop()
        second.start()
        hvac.Client(url=second.address).sys.initialize(secret_shares=3, secret_threshold=2)
        result = run_bootstrap(second.address, "--state-file", str(state))
        assert result.returncode == 2, result.stderr
        line = result.stderr.splitlines()[-1]
        assert f"belongs to another Vault (cluster id {cluster_id})" in line
        assert "nothing was changed" in line
        assert state.read_bytes() == before
        status = hvac.Client(url=second.address).sys.read_seal_status()
        assert status["sealed"] is True and status["progress"] == 0
        shares = json.loads(before)["unseal_keys_b64"]
        for share in shares:
            assert share not in result.stderr
        # The same shares handed over in the environment: refused alike.
        from_env = run_bootstrap(
            second.address, "--unseal-only", env={UNSEAL_KEYS_ENV: "\n".join(shares)}
        )
        assert from_env.returncode == 2
        assert f"the shares in {UNSEAL_KEYS_ENV} do not unseal" in from_env.stderr
    finally:
        first.stop()
        second.stop()


@pytest.mark.parametrize("sealed", [False, True])
def test_another_vault_at_another_address_is_refused(
    make_bao: Any, tmp_path: Path, sealed: bool
) -> None:
    first = make_bao()
    state = tmp_path / "a.json"
    created = run_bootstrap(first.address, "--state-file", str(state), "--keep-root-token")
    assert created.returncode == 0, created.stderr
    before = state.read_bytes()
    other = make_bao()
    if not sealed:
        initialise_by_hand(other)
    else:
        hvac.Client(url=other.address).sys.initialize(secret_shares=1, secret_threshold=1)
    result = run_bootstrap(other.address, "--state-file", str(state))
    assert result.returncode == 2
    # Unsealed, its cluster id speaks; sealed, the address does.
    expected = "belongs to the Vault at" if sealed else "belongs to the Vault with cluster id"
    assert expected in result.stderr
    assert state.read_bytes() == before
    assert token_valid(first, json.loads(before)["root_token"])


def test_a_refused_root_token_is_never_read_as_revoked(make_bao: Any, tmp_path: Path) -> None:
    bao = make_bao()
    state = tmp_path / "state.json"
    created = run_bootstrap(bao.address, "--state-file", str(state), "--keep-root-token")
    assert created.returncode == 0, created.stderr
    root = json.loads(state.read_text())["root_token"]
    hvac.Client(url=bao.address, token=root).auth.token.revoke_self()  # by someone else
    before = state.read_bytes()
    refused = run_bootstrap(bao.address, "--state-file", str(state))
    assert refused.returncode == 1
    assert "no run of ours revoked it: the file is unchanged" in refused.stderr
    assert state.read_bytes() == before
    # A run of ours that revoked it and died before saving leaves the mark:
    # then, and only then, the refusal means "revoked".
    document = json.loads(before)
    document["root_token_revoking"] = True
    state.write_text(json.dumps(document))
    rerun = run_bootstrap(bao.address, "--state-file", str(state), "--json")
    assert rerun.returncode == 0, rerun.stderr
    assert statuses(rerun.stdout)["root-token"] == "revoked"
    assert json.loads(state.read_text())["root_token"] is None


def test_a_gpg_recipient_that_cannot_encrypt_stops_before_init(
    make_bao: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(home))
    # A signing-only key: listed by --list-keys, refused by --encrypt.
    subprocess.run(
        [
            require_tool("gpg"),
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "signer@example.com",
            "ed25519",
            "sign",
            "never",
        ],
        check=True,
        capture_output=True,
    )
    bao = make_bao()
    state = tmp_path / "state.gpg"
    result = run_bootstrap(
        bao.address, "--state-file", str(state), "--state-gpg-recipient", "signer@example.com"
    )
    assert result.returncode == 2
    assert "--state-gpg-recipient 'signer@example.com' cannot encrypt" in result.stderr
    assert bao.health()["initialized"] is False
    assert not state.exists()
