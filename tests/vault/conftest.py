"""Fixtures of the Vault tests: fresh OpenBao servers on free loopback ports."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.openbao import Bao


@pytest.fixture
def make_bao(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    servers: list[Bao] = []

    def make(storage: str = "inmem", tls: tuple[Path, Path] | None = None) -> Bao:
        server = Bao(tmp_path_factory.mktemp("bao"), storage=storage, tls=tls)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(autouse=True)
def _stop_gpg_daemons(tmp_path: Path) -> Iterator[None]:
    """gpg starts a gpg-agent (and dirmngr) per GNUPGHOME that outlives the test;
    the tests keep their GNUPGHOME at tmp_path/gnupg, so stop those afterwards."""
    yield
    home = tmp_path / "gnupg"
    if home.is_dir():
        subprocess.run(
            ["gpgconf", "--homedir", str(home), "--kill", "all"], check=False, capture_output=True
        )
