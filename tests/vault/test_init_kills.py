"""Killing `wildside vault bootstrap` never loses a Vault: real OpenBao
servers, a proxy that holds back the reply to `sys/init` (tests/support/
delay_proxy.py), and real signals at every step boundary and inside init."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import hvac
import pytest

from wildside.core.errors import OperationalError
from wildside.vault.bootstrap import Options, bootstrap
from wildside.vault.state import StateStore, VaultState

from support.delay_proxy import DelayProxy
from support.openbao import Bao, run_bootstrap, statuses
from support.tools import require_tool


def spawn(address: str, state: Path, *args: str) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))}
    environment["VAULT_ADDR"] = address
    return subprocess.Popen(
        [require_tool("wildside"), "vault", "bootstrap", "--state-file", str(state), *args],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def proxy_to(bao: Bao, delay: float) -> DelayProxy:
    upstream = urlsplit(bao.address)
    assert upstream.hostname and upstream.port
    return DelayProxy((upstream.hostname, upstream.port), b"/v1/sys/init", delay)


def saved(state: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(state.read_text())
    return loaded


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_during_init_is_held_until_the_keys_are_saved(
    make_bao: Any, tmp_path: Path, signum: signal.Signals
) -> None:
    bao = make_bao()
    state = tmp_path / "state.json"
    with proxy_to(bao, delay=2.0) as proxy:
        process = spawn(proxy.address, state, "--shares", "1", "--threshold", "1")
        assert proxy.forwarded.wait(30), "init never reached the proxy"
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode != 0  # the signal still ends the run, right after the save
        assert bao.health()["initialized"] is True
        document = saved(state)
        assert len(document["unseal_keys_b64"]) == 1 and document["root_token"]
        assert document["init_started_at"] is None
        for secret in [*document["unseal_keys_b64"], document["root_token"]]:
            assert secret not in stderr
        rerun = run_bootstrap(proxy.address, "--state-file", str(state), "--json")
    assert rerun.returncode == 0, rerun.stderr + stderr
    assert statuses(rerun.stdout)["initialise"] == "verified"
    assert statuses(rerun.stdout)["unseal"] == "unsealed"


def test_sigkill_inside_init_is_the_one_window_and_the_rerun_says_so(
    make_bao: Any, tmp_path: Path
) -> None:
    """SIGKILL cannot be held: killed between init's request and the save
    of its reply, the keys are gone. The file records that an init started,
    and the re-run says plainly what happened and what recovery means."""
    bao = make_bao()
    state = tmp_path / "state.json"
    with proxy_to(bao, delay=2.0) as proxy:
        process = spawn(proxy.address, state)
        assert proxy.forwarded.wait(30)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        document = saved(state)
        assert document["unseal_keys_b64"] == [] and document["init_started_at"]
        assert bao.health()["initialized"] is True
        rerun = run_bootstrap(proxy.address, "--state-file", str(state))
    assert rerun.returncode == 1
    message = rerun.stderr.splitlines()[-1]
    assert "its unseal shares are not in --state-file" in message
    assert f"initialisation started at {document['init_started_at']}" in message
    assert "cannot be recovered" in message and "docs/vault.md#recovery" in message


def test_the_sigkill_window_is_the_init_round_trip(
    make_bao: Any, tmp_path: Path, record_property: Any
) -> None:
    """Measures the window SIGKILL leaves: from init's request reaching the
    network to its reply being renamed into place (docs/vault.md quotes it)."""
    bao = make_bao()
    state = tmp_path / "state.json"
    seen: list[float] = []

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if saved(state)["unseal_keys_b64"]:
                    seen.append(time.monotonic())
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.0005)

    with proxy_to(bao, delay=0.0) as proxy:
        watcher = threading.Thread(target=watch)
        watcher.start()
        process = spawn(proxy.address, state, "--unseal-only")
        process.communicate(timeout=60)
        watcher.join()
    assert process.returncode == 0 and seen and proxy.forwarded_at is not None
    window_ms = (seen[0] - proxy.forwarded_at) * 1000
    record_property("sigkill_window_ms", round(window_ms, 1))
    print(f"SIGKILL window (init request to saved reply): {window_ms:.1f} ms")


def test_a_reply_slower_than_the_ordinary_timeout_still_lands(
    make_bao: Any, tmp_path: Path
) -> None:
    """Ordinary calls give up after 30 s; init waits --init-timeout (300 s)."""
    bao = make_bao()
    state = tmp_path / "state.json"
    with proxy_to(bao, delay=31.0) as proxy:
        result = run_bootstrap(proxy.address, "--state-file", str(state), "--unseal-only")
    assert result.returncode == 0, result.stderr
    assert len(saved(state)["unseal_keys_b64"]) == 5


def test_an_init_reply_past_the_init_timeout_is_named_as_possibly_lost(
    make_bao: Any, tmp_path: Path
) -> None:
    """The one other way left to lose the shares: the reply outlives
    --init-timeout. The error says so (not "cannot reach Vault"), the file
    keeps the pending record, and the re-run names the lost init."""
    bao = make_bao()
    state = tmp_path / "state.json"
    with proxy_to(bao, delay=12.0) as proxy:
        args = ["--state-file", str(state), "--unseal-only"]
        result = run_bootstrap(proxy.address, *args, "--init-timeout", "10")
        assert result.returncode == 1
        line = result.stderr.splitlines()[-1]
        assert "did not answer init within --init-timeout 10 s" in line
        assert "may have initialised" in line and "docs/vault.md#recovery" in line
        document = saved(state)
        assert document["unseal_keys_b64"] == [] and document["init_started_at"]
        assert bao.health()["initialized"] is True
        rerun = run_bootstrap(proxy.address, *args)
    assert rerun.returncode == 1
    assert f"initialisation started at {document['init_started_at']}" in rerun.stderr


STEP_LINES = [
    "initialise:",
    "unseal:",
    "token:",
    "kv-mount",
    "auth approle/:",
    "auth kubernetes/:",
    "policy wildside-ci-deployer:",
    "role approle/ci-deployer:",
    "role kubernetes/external-secrets:",
    "credential approle/wildside-bootstrap:",
]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
@pytest.mark.parametrize("kill_after", STEP_LINES)
def test_killed_at_any_step_boundary_converges_and_keeps_the_keys(
    make_bao: Any, tmp_path: Path, kill_after: str, signum: signal.Signals
) -> None:
    bao = make_bao()
    state = tmp_path / "state.json"
    process = spawn(bao.address, state, "--shares", "2", "--threshold", "2")
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith(kill_after):
            process.send_signal(signum)
            break
    process.wait(timeout=60)
    keys = saved(state)["unseal_keys_b64"]
    assert len(keys) == 2
    rerun = run_bootstrap(bao.address, "--state-file", str(state), "--json")
    assert rerun.returncode == 0, rerun.stderr
    assert statuses(rerun.stdout)["initialise"] == "verified"
    after = saved(state)
    assert after["unseal_keys_b64"] == keys and after["root_token"] is None
    again = run_bootstrap(bao.address, "--state-file", str(state), "--json")
    assert json.loads(again.stdout)["changed"] is False
    # The stored bootstrap credential still works: nothing was half-rotated.
    vault = hvac.Client(url=bao.address, token="")
    vault.auth.approle.login(
        role_id=after["bootstrap_role_id"], secret_id=after["bootstrap_secret_id"]
    )


class _FullDisk(StateStore):
    """A store whose save fails once the reply of init is in it."""

    def save(self, state: VaultState) -> None:
        if state.unseal_keys:
            raise OperationalError("No space left on device")
        super().save(state)


def test_a_failed_save_after_init_leaves_a_rescue_file(make_bao: Any, tmp_path: Path) -> None:
    bao = make_bao()
    state = tmp_path / "state.json"
    options = Options(
        address=bao.address,
        kv_mount="secret",
        secret_shares=1,
        secret_threshold=1,
        unseal_only=True,
        store=_FullDisk(state),
    )
    with pytest.raises(OperationalError) as raised:
        bootstrap(options)
    rescue = tmp_path / "state.json.rescue"
    assert rescue.stat().st_mode & 0o777 == 0o600
    document = saved(rescue)
    message = str(raised.value)
    assert str(rescue) in message and "PLAIN TEXT" in message
    assert document["unseal_keys_b64"][0] not in message and document["root_token"] not in message
    rerun = run_bootstrap(bao.address, "--state-file", str(rescue), "--unseal-only", "--json")
    assert rerun.returncode == 0, rerun.stderr
    assert statuses(rerun.stdout)["unseal"] == "unsealed"
