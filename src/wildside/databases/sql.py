"""Small catalogue queries shared by the template, clone and pool code."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql

Connection = psycopg.Connection[tuple[object, ...]]


@dataclass(frozen=True)
class DatabaseInfo:
    name: str
    oid: int
    is_template: bool
    allows_connections: bool
    comment: str | None
    sessions: int


def database(conn: Connection, name: str) -> DatabaseInfo | None:
    row = conn.execute(
        "SELECT d.oid::int8, d.datistemplate, d.datallowconn, "
        "shobj_description(d.oid, 'pg_database'), "
        "(SELECT count(*) FROM pg_stat_activity a "
        " WHERE a.datid = d.oid AND a.pid <> pg_backend_pid()) "
        "FROM pg_database d WHERE d.datname = %s",
        (name,),
    ).fetchone()
    if row is None:
        return None
    oid, is_template, allows, comment, sessions = row
    return DatabaseInfo(name, int(oid), bool(is_template), bool(allows), comment, int(sessions))  # type: ignore[arg-type,call-overload]


def databases_like(conn: Connection, prefix: str) -> list[tuple[str, str | None]]:
    pattern = prefix.replace("_", r"\_") + "%"
    rows = conn.execute(
        "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
        "WHERE datname LIKE %s ORDER BY datname",
        (pattern,),
    ).fetchall()
    return [(str(name), None if comment is None else str(comment)) for name, comment in rows]


def database_size(conn: Connection, oid: int) -> int:
    row = conn.execute("SELECT pg_database_size(%s::oid)", (oid,)).fetchone()
    return int(str(row[0])) if row else 0


def role_exists(conn: Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is not None


def role_comment(conn: Connection, name: str) -> str | None:
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = %s", (name,)
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def terminate_sessions(conn: Connection, name: str) -> int:
    rows = conn.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        (name,),
    ).fetchall()
    return len(rows)


def comment_on_database(conn: Connection, name: str, comment: str) -> None:
    conn.execute(
        sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(comment))
    )


def drop_database(conn: Connection, name: str) -> None:
    """Drop even a template (flag cleared first), terminating its sessions.
    A database renamed or dropped meanwhile by someone else is no error. Only
    a template's row is updated before the drop: ALTER DATABASE takes no lock
    on the database, so updating a row that a concurrent RENAME updates too
    fails with "tuple concurrently updated"."""
    row = conn.execute("SELECT datistemplate FROM pg_database WHERE datname = %s", (name,))
    found = row.fetchone()
    if found is None:
        return
    if found[0]:
        try:
            conn.execute(
                sql.SQL("ALTER DATABASE {} IS_TEMPLATE false").format(sql.Identifier(name))
            )
        except psycopg.errors.InvalidCatalogName:
            return
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def wait_until_closed(conn: Connection, pid: int, limit: float = 2.0) -> None:
    """Until a session just closed has left the server. A backend exits after
    its client hangs up; a RENAME or DROP of its database that still finds it
    there sleeps 100 ms before looking again, most of a pool claim's time on
    a busy machine. Past the limit the RENAME's own wait takes over."""
    deadline = time.monotonic() + limit
    query = "SELECT 1 FROM pg_stat_activity WHERE pid = %s"
    while conn.execute(query, (pid,)).fetchone() is not None and time.monotonic() < deadline:
        time.sleep(0.001)


def run_together(conn: Connection, statements: Sequence[sql.Composable]) -> None:
    """Several statements in one round trip and one transaction (PostgreSQL
    runs a multi-statement query as an implicit transaction block)."""
    conn.execute(sql.SQL("; ").join(statements))


def encrypted_password(conn: Connection, role: str, password: str) -> str:
    """The SCRAM verifier computed client-side by libpq, so the plain password
    never reaches the server (or its statement log)."""
    verifier = conn.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
    return verifier.decode()


@contextmanager
def advisory_lock(conn: Connection, *key: str) -> Iterator[None]:
    """A session-level lock (CREATE DATABASE cannot run inside a transaction)."""
    text = ":".join(("wildside", *key))
    conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (text,))
    try:
        yield
    finally:
        if not conn.closed:
            conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (text,))
