"""Fixtures shared by every test: an isolated cache, local bare remotes and
the CLI run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.tools import require_tool


@pytest.fixture(autouse=True)
def isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("WILDSIDE_CACHE_DIR", str(cache))
    monkeypatch.delenv("WILDSIDE_APPS_REPO", raising=False)
    yield cache


@pytest.fixture
def bare_repo(tmp_path: Path) -> Path:
    """An empty bare repository standing in for a remote (GitHub)."""
    path = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
    return path


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def cli(tmp_path: Path) -> Any:
    """Run the installed `wildside` console script as a separate process."""
    executable = require_tool("wildside")

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> CliResult:
        completed = subprocess.run(
            [executable, *args],
            cwd=cwd or tmp_path,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        return CliResult(completed.returncode, completed.stdout, completed.stderr)

    return run


def clone(remote: Path, destination: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(remote), str(destination)], check=True)
    return destination


@pytest.fixture
def clone_remote(tmp_path: Path) -> Any:
    counter = iter(range(10_000))

    def make(remote: Path) -> Path:
        return clone(remote, tmp_path / f"clone-{next(counter)}")

    return make


def commit_count(remote: Path) -> int:
    completed = subprocess.run(
        ["git", "--git-dir", str(remote), "rev-list", "--count", "main"],
        capture_output=True,
        text=True,
        check=False,
    )
    return int(completed.stdout.strip() or 0)
