"""The window SIGKILL leaves in `wildside vault bootstrap` (issue 14): from
the moment the pending record is on disk and `sys/init` is sent, until the
reply (shares and root token) is renamed into place. SIGINT, SIGTERM and
SIGHUP are held across it; SIGKILL and power loss are not. Measured against
fresh OpenBao servers (in-memory storage, loopback, 5 shares), with a plain
and a GPG-encrypted state file, beside a baseline measured in the same run:
a bare `sys/init` round trip, which no client can shorten.

    .venv/bin/python benchmarks/vault_init_window.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import hvac

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from wildside.vault.bootstrap import Options, bootstrap
from wildside.vault.state import StateStore, VaultState

from support.openbao import Bao
from support.tools import require_tool

RECIPIENT = "benchmark@example.com"


@dataclass(frozen=True)
class TimedStore(StateStore):
    """Notes when the pending record and the init reply reach the disk."""

    saved_at: dict[str, float] = field(default_factory=dict)

    def save(self, state: VaultState) -> None:
        super().save(state)
        if state.init_started_at:
            self.saved_at["pending"] = time.perf_counter()
        elif state.unseal_keys and "reply" not in self.saved_at:
            self.saved_at["reply"] = time.perf_counter()


def with_fresh_vault(work: Callable[[Bao, Path], float]) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        bao = Bao(root / "bao", storage="inmem")
        bao.start()
        try:
            return work(bao, root)
        finally:
            bao.stop()


def bare_init(bao: Bao, _: Path) -> float:
    client = hvac.Client(url=bao.address, token="")
    started = time.perf_counter()
    client.sys.initialize(secret_shares=5, secret_threshold=3)
    return (time.perf_counter() - started) * 1000


def window(recipient: str | None) -> Callable[[Bao, Path], float]:
    def measure(bao: Bao, root: Path) -> float:
        store = TimedStore(root / "state", gpg_recipient=recipient)
        bootstrap(Options(address=bao.address, kv_mount="secret", unseal_only=True, store=store))
        return (store.saved_at["reply"] - store.saved_at["pending"]) * 1000

    return measure


def gpg_home(root: Path) -> None:
    home = root / "gnupg"
    home.mkdir(mode=0o700)
    os.environ["GNUPGHOME"] = str(home)
    subprocess.run(
        [require_tool("gpg"), "--batch", "--passphrase", "", "--quick-gen-key", RECIPIENT,
         "default", "default", "never"],
        check=True, capture_output=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    variants: dict[str, Callable[[Bao, Path], float]] = {
        "baseline: bare sys/init round trip": bare_init,
        "window, plain state file": window(None),
        "window, GPG-encrypted state file": window(RECIPIENT),
    }
    samples: dict[str, list[float]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as scratch:
        gpg_home(Path(scratch))
        for round_ in range(rounds):  # alternate, so drift in load hits every variant
            order = list(variants) if round_ % 2 == 0 else list(reversed(variants))
            for name in order:
                samples[name].append(with_fresh_vault(variants[name]))
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{rounds} rounds, fresh OpenBao each, 5 shares; median (min-max) in ms")
    baseline = statistics.median(samples["baseline: bare sys/init round trip"])
    for name, values in samples.items():
        median = statistics.median(values)
        extra = "" if name.startswith("baseline") else f"  ({median - baseline:+.1f} ms)"
        print(f"{name:38} {median:7.1f} ({min(values):.1f}-{max(values):.1f}){extra}")


if __name__ == "__main__":
    main()
