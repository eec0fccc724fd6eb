"""The clone strategy rule: WAL_LOG below a template size, FILE_COPY at and
above it (benchmarks/db_clone_load.py measured both under load)."""

from __future__ import annotations

from wildside.databases.clones import WAL_LOG_BELOW_BYTES, Strategy, choose


def test_auto_strategy_follows_the_template_size() -> None:
    assert choose(Strategy.AUTO, 56_000_000) is Strategy.WAL_LOG
    assert choose(Strategy.AUTO, WAL_LOG_BELOW_BYTES - 1) is Strategy.WAL_LOG
    assert choose(Strategy.AUTO, WAL_LOG_BELOW_BYTES) is Strategy.FILE_COPY
    assert choose(Strategy.AUTO, 486_000_000) is Strategy.FILE_COPY


def test_an_explicit_strategy_wins() -> None:
    assert choose(Strategy.FILE_COPY, 1) is Strategy.FILE_COPY
    assert choose(Strategy.WAL_LOG, 10**12) is Strategy.WAL_LOG
