"""Run `wildside` in-process (fast enough for property tests) in an isolated
directory, with every network endpoint pointed at a closed loopback port."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from wildside.cli.main import main


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


Runner = Callable[..., Outcome]


@pytest.fixture
def offline_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No variable from the caller's CI leaks in; every service is a closed port."""
    for name in (
        "WILDSIDE_APPS_REPO",
        "WILDSIDE_PUSH_ATTEMPTS",
        "WILDSIDE_GIT_TOKEN",
        "WILDSIDE_DB_DSN",
        "WILDSIDE_VAULT_UNSEAL_KEYS",
        "VAULT_TOKEN",
        "VAULT_ROLE_ID",
        "VAULT_SECRET_ID",
        "VAULT_CACERT",
        "GITHUB_TOKEN",
        "GITHUB_REPOSITORY",
        "GITHUB_STEP_SUMMARY",
        "DIGITALOCEAN_TOKEN",
        "DIGITALOCEAN_ACCESS_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAULT_ADDR", f"http://127.0.0.1:{unused_port()}")
    monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{unused_port()}")
    monkeypatch.setenv("WILDSIDE_DB_CREDENTIALS_DIR", str(tmp_path / "credentials"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield work


@pytest.fixture
def run(offline_env: Path, capsys: pytest.CaptureFixture[str]) -> Runner:
    def invoke(*args: str) -> Outcome:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return invoke
