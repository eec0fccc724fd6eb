"""Fixtures for the GitHub delivery tests: the local GitHub API stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.github_server import FakeGitHub


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    server = FakeGitHub().start()
    yield server
    server.stop()
