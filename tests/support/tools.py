"""Locating the real engines the tests run. A missing tool fails the test
(never skips): CI must install everything the suite uses."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def require_tool(name: str, *, env: str | None = None, candidates: tuple[Path, ...] = ()) -> str:
    """Path of a real executable, preferring the project's virtualenv."""
    if env and os.environ.get(env):
        return os.environ[env]
    for candidate in (VENV_BIN / name, *candidates):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    pytest.fail(f"required tool {name!r} is missing: run scripts/test.sh, which installs it")


def schemas_dir() -> Path:
    configured = os.environ.get("WILDSIDE_SCHEMAS_DIR")
    path = Path(configured) if configured else REPO_ROOT.parent / "shared" / "schemas"
    if not path.is_dir():
        pytest.fail(f"CRD schemas not found at {path}: set WILDSIDE_SCHEMAS_DIR")
    return path
