"""The layering rule holds (import-linter's contracts in pyproject.toml), and
a preview command loads the Vault, GitHub and PostgreSQL clients only when a
flag asks for them: each CI step runs one command, and those imports are a
noticeable share of its start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.tools import REPO_ROOT, require_tool

CLIENTS = ("hvac", "httpx", "psycopg")
_PROBE = """
import json, sys
from wildside.cli.main import run
sys.argv = ["wildside", *sys.argv[1:]]
try:
    run()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {clients} if m in sys.modules)), file=sys.stderr)
"""


def test_import_contracts_hold() -> None:
    lint = require_tool("lint-imports")
    result = subprocess.run(
        [lint, "--config", str(REPO_ROOT / "pyproject.toml")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    assert "No package cycles KEPT" in result.stdout


def _loaded_clients(*args: str, env: dict[str, str] | None = None) -> list[str]:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE.format(clients=CLIENTS), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )
    loaded: list[str] = json.loads(completed.stderr.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "command",
    [
        ["preview", "up", "--pr", "3", "--sha", "abcdef0", "--quiet"],
        ["preview", "list"],
        ["preview", "down", "--pr", "3", "--quiet"],
        ["apps", "init", "--quiet"],
    ],
)
def test_preview_commands_load_no_client_without_a_flag(
    command: list[str], bare_repo: Path
) -> None:
    env = {"VAULT_ADDR": "", "GITHUB_TOKEN": ""}
    assert _loaded_clients(*command, "--repo", str(bare_repo), env=env) == []


def test_a_flag_that_needs_vault_loads_its_client(bare_repo: Path) -> None:
    env = {"VAULT_ADDR": "http://127.0.0.1:9", "VAULT_TOKEN": "not-a-token"}
    loaded = _loaded_clients(
        "preview", "up", "--pr", "3", "--sha", "abcdef0", "--secrets", "--quiet",
        "--repo", str(bare_repo), env=env,
    )  # fmt: skip
    assert "hvac" in loaded
    assert "httpx" not in loaded
