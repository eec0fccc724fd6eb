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


SCHEMAS_DIR = REPO_ROOT / "tests" / "data" / "schemas"


def schemas_dir() -> Path:
    """The vendored CRD JSON Schemas (see tests/data/schemas/README.md)."""
    if not SCHEMAS_DIR.is_dir():
        pytest.fail(f"CRD schemas not found at {SCHEMAS_DIR}: the checkout is incomplete")
    return SCHEMAS_DIR
