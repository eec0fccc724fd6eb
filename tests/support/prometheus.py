"""Run the real promtool and amtool (Debian prometheus and
prometheus-alertmanager) on rendered files."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from support.tools import require_tool


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_tool(tool), *args], capture_output=True, text=True, check=False, timeout=120
    )


def write_yaml(path: Path, document: Any) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def check_rules(path: Path) -> None:
    done = _run("promtool", "check", "rules", str(path))
    assert done.returncode == 0, f"promtool check rules {path}:\n{done.stdout}\n{done.stderr}"


def run_rule_tests(path: Path) -> str:
    done = _run("promtool", "test", "rules", str(path))
    assert done.returncode == 0, f"promtool test rules {path}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def check_alertmanager(path: Path) -> str:
    done = _run("amtool", "check-config", str(path))
    assert done.returncode == 0, f"amtool check-config {path}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def route(path: Path, *labels: str) -> str:
    """The receiver(s) `amtool config routes test` picks for these labels."""
    done = _run("amtool", "config", "routes", "test", f"--config.file={path}", *labels)
    assert done.returncode == 0, f"amtool routes test:\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip()
