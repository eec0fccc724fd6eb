"""Fixtures of the infra tests: checkov runs once per session (it takes tens of seconds)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from support.infra_hcl import INFRA, REPO
from support.tools import require_tool


@pytest.fixture(scope="session")
def checkov_report() -> dict[str, Any]:
    """checkov's JSON report on infra/ (terraform framework, no download of external checks)."""
    checkov = require_tool(
        "checkov",
        env="WILDSIDE_CHECKOV",
        candidates=(REPO / ".venv-checkov" / "bin" / "checkov",),
    )
    completed = subprocess.run(
        [
            checkov,
            "--framework",
            "terraform",
            "--skip-download",
            "--output",
            "json",
            "-d",
            str(INFRA),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # Exit code 1 means "failed checks"; the test reports them. Anything else is a crash.
    if completed.returncode not in (0, 1):
        pytest.fail(f"checkov crashed ({completed.returncode}): {completed.stderr[-2000:]}")
    report = json.loads(completed.stdout)
    reports = report if isinstance(report, list) else [report]
    (terraform,) = [r for r in reports if r.get("check_type") == "terraform"]
    return terraform
