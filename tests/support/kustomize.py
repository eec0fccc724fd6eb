"""Build trees with the real `kubectl kustomize` and parse the output."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from support.tools import require_tool


def build(path: Path) -> list[dict[str, Any]]:
    kubectl = require_tool("kubectl")
    completed = subprocess.run(
        [kubectl, "kustomize", str(path)], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, f"kubectl kustomize {path} failed:\n{completed.stderr}"
    return [doc for doc in yaml.safe_load_all(completed.stdout) if doc]


def by_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [obj for obj in objects if obj.get("kind") == kind]
