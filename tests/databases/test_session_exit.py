"""A create renames the staging database right after closing its own session
on it; PostgreSQL's RENAME sleeps 100 ms whenever that session has not left
yet, so the create first waits for it to leave (benchmarks/db_clone_load.py
measures the claim). Against a real PostgreSQL 15."""

from __future__ import annotations

from typing import Any

import psycopg

from wildside.databases import sql as q

from support import postgres

GONE = "SELECT 1 FROM pg_stat_activity WHERE pid = %s"


def test_waits_until_a_closed_session_has_left(
    admin: psycopg.Connection[Any], seeded: postgres.Server
) -> None:
    session = psycopg.connect(seeded.dsn())
    pid = session.info.backend_pid
    session.close()
    q.wait_until_closed(admin, pid)
    assert admin.execute(GONE, (pid,)).fetchone() is None


def test_gives_up_at_the_limit_on_a_session_still_open(
    admin: psycopg.Connection[Any], seeded: postgres.Server
) -> None:
    with psycopg.connect(seeded.dsn()) as session:
        q.wait_until_closed(admin, session.info.backend_pid, limit=0.05)
        assert admin.execute(GONE, (session.info.backend_pid,)).fetchone() == (1,)
