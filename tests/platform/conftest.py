"""Fixtures for the platform tree: the example clusters rendered once per
session, and a writable copy of their configuration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support.platform_tree import EXAMPLES, render_into


@pytest.fixture(scope="session")
def rendered_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("infra") / "tree"
    completed = render_into(output)
    assert completed.returncode == 0, completed.stderr
    return output


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A writable copy of the example cluster configurations."""
    target = tmp_path / "clusters-config"
    shutil.copytree(EXAMPLES, target)
    return target
