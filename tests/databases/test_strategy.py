"""The clone strategy rule: WAL_LOG below a template size, FILE_COPY from
there on, whatever the server's load (benchmarks/db_clone_load.py measured
both under load, with and without a checkpoint backlog)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wildside.databases import clones, credentials
from wildside.databases.clones import WAL_LOG_BELOW_BYTES, Strategy, choose
from wildside.databases.dsn import resolve


def test_auto_strategy_follows_the_template_size() -> None:
    assert choose(Strategy.AUTO, 56_000_000) is Strategy.WAL_LOG
    assert choose(Strategy.AUTO, WAL_LOG_BELOW_BYTES - 1) is Strategy.WAL_LOG
    assert choose(Strategy.AUTO, WAL_LOG_BELOW_BYTES) is Strategy.FILE_COPY
    assert choose(Strategy.AUTO, 486_000_000) is Strategy.FILE_COPY


def test_an_explicit_strategy_wins() -> None:
    assert choose(Strategy.FILE_COPY, 1) is Strategy.FILE_COPY
    assert choose(Strategy.WAL_LOG, 10**12) is Strategy.WAL_LOG


def test_auto_reads_the_template_size_from_the_server(
    db_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same small template, cloned by auto on either side of a threshold."""
    dsn, store = resolve(db_env["WILDSIDE_DB_DSN"]), credentials.FileStore(tmp_path)
    target = clones.target_of(dsn, None)
    used: list[Any] = []
    for pr, threshold in ((130, 10**12), (131, 1)):
        monkeypatch.setattr(clones, "WAL_LOG_BELOW_BYTES", threshold)
        result = clones.create(
            dsn, pr, template="wildside_template", strategy=Strategy.AUTO, store=store,
            target=target, use_pool=False,
        )  # fmt: skip
        used.append(result.strategy)
        clones.drop(dsn, pr, store=store)
    assert used == ["WAL_LOG", "FILE_COPY"]
