"""The clone strategy rule: WAL_LOG, unless the template is large and the
server quiet (little written since its last checkpoint), then FILE_COPY.
benchmarks/db_clone_load.py and db_clone.py measured both ways."""

from __future__ import annotations

from typing import Any

import psycopg

from wildside.databases import sql as q
from wildside.databases.clones import WAL_LOG_BELOW_BYTES, Strategy, choose

LARGE = 486_000_000


def test_small_templates_always_use_wal_log() -> None:
    assert choose(Strategy.AUTO, 56_000_000, 0) is Strategy.WAL_LOG
    assert choose(Strategy.AUTO, WAL_LOG_BELOW_BYTES - 1, 0) is Strategy.WAL_LOG


def test_large_templates_use_file_copy_only_on_a_quiet_server() -> None:
    assert choose(Strategy.AUTO, LARGE, 10_000_000) is Strategy.FILE_COPY
    assert choose(Strategy.AUTO, WAL_LOG_BELOW_BYTES, 0) is Strategy.FILE_COPY
    assert choose(Strategy.AUTO, LARGE, LARGE // 4) is Strategy.WAL_LOG  # busy
    assert choose(Strategy.AUTO, LARGE, None) is Strategy.WAL_LOG  # backlog unknown


def test_an_explicit_strategy_wins() -> None:
    assert choose(Strategy.FILE_COPY, 1, None) is Strategy.FILE_COPY
    assert choose(Strategy.WAL_LOG, 10**12, 0) is Strategy.WAL_LOG


def test_the_backlog_is_read_from_the_server(admin: psycopg.Connection[Any]) -> None:
    admin.execute("CHECKPOINT")
    quiet = q.pending_checkpoint(admin)
    assert quiet is not None and quiet >= 0
    admin.execute("CREATE TABLE backlog_probe AS SELECT generate_series(1, 200000) g")
    busy = q.pending_checkpoint(admin)
    assert busy is not None and busy > quiet + 1_000_000
    admin.execute("DROP TABLE backlog_probe")
