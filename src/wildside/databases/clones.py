"""Preview databases on any PostgreSQL: create (clone of the template, or a
pre-cloned pool database claimed by rename), drop, list, fill the pool."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum

import psycopg
from psycopg import sql

from wildside.contract import db_marker
from wildside.core.errors import BadInput
from wildside.core.output import SILENT, Progress
from wildside.databases import naming
from wildside.databases import sql as q
from wildside.databases.connection import connect
from wildside.databases.credentials import Credentials, Store, generate_password
from wildside.databases.dsn import Dsn

ident = sql.Identifier


class Strategy(StrEnum):
    """How CREATE DATABASE copies the template (PostgreSQL 15+). FILE_COPY
    copies the files, with a checkpoint of the whole server before and after;
    WAL_LOG copies block by block through the WAL, in time proportional to
    the template. AUTO picks by template size (see `choose`)."""

    AUTO = "auto"
    FILE_COPY = "file_copy"
    WAL_LOG = "wal_log"


DEFAULT_STRATEGY = Strategy.AUTO
# benchmarks/db_clone_load.py, five runs on a server under steady write load: at
# 500 MB FILE_COPY took 0.8-2.9 s (median 2.1 s), WAL_LOG 1.3-5.5 s (median 2.4 s);
# after 200 MB written since the last checkpoint FILE_COPY was still faster in three
# of four runs and raised the other databases' p99 at most 1.5x, WAL_LOG up to 4.6x:
# it shares the one WAL with everyone's commits. At 50 MB WAL_LOG was faster in four
# of five runs (median 0.7 s beside 1.05 s). Sizes between were not measured.
WAL_LOG_BELOW_BYTES = 200 * 1_000_000


def choose(strategy: Strategy, template_bytes: int) -> Strategy:
    """AUTO: WAL_LOG below 200 MB, FILE_COPY from there on, whatever the load."""
    if strategy is not Strategy.AUTO:
        return strategy
    return Strategy.WAL_LOG if template_bytes < WAL_LOG_BELOW_BYTES else Strategy.FILE_COPY


def _clone(
    conn: q.Connection, template: q.DatabaseInfo, name: str, strategy: Strategy, progress: Progress
) -> Strategy:
    chosen = choose(strategy, q.database_size(conn, template.oid))
    progress.step(f"cloning {template.name} into {name} ({chosen.name})")
    conn.execute(
        sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY {}").format(
            ident(name), ident(template.name), sql.SQL(chosen.name)
        )
    )
    return chosen


@dataclass(frozen=True)
class Target:
    """Where the application reaches the server (may differ from --dsn, e.g.
    behind a port-forward)."""

    host: str
    port: str


@dataclass(frozen=True)
class CreateResult:
    pr: int
    database: str
    role: str
    created: bool
    method: str  # clone | pool | existing
    strategy: str | None
    credentials: str
    credentials_written: bool
    seconds: float


@dataclass(frozen=True)
class DropResult:
    pr: int
    database: str
    dropped_database: bool
    dropped_role: bool
    removed_credentials: bool


@dataclass(frozen=True)
class PreviewDatabase:
    name: str
    pr: int | None
    kind: str  # preview | pool
    owner: str
    size_bytes: int | None


@dataclass(frozen=True)
class PoolResult:
    template: str
    size: int
    created: int
    dropped_stale: int


def target_of(dsn: Dsn, override: str | None) -> Target:
    if override:
        host, _, port = override.partition(":")
        if not host or (port and not port.isdigit()):
            raise BadInput(f"--app-host {override!r} is not HOST or HOST:PORT")
        return Target(host, port or dsn.field("port") or "5432")
    host = dsn.field("host") or dsn.field("hostaddr") or "localhost"
    return Target(host.split(",")[0], (dsn.field("port") or "5432").split(",")[0])


def _template(conn: q.Connection, template: str, progress: Progress) -> q.DatabaseInfo:
    """The template, if `wildside db template refresh` made it: anything else
    (`postgres`, an application's live database, a half-built `__next`) is
    refused, so a preview never starts from data nobody declared."""
    info = q.database(conn, template)
    if info is None:
        raise BadInput(
            f"--template {template}: no such database; build it with "
            f"`wildside db template refresh --template {template}`"
        )
    if not (info.is_template and db_marker.is_template(info.comment)):
        raise BadInput(
            f"--template {template} was not made by `wildside db template refresh` (no "
            f"{db_marker.TEMPLATE} marker): give a template that was, or build one with "
            f"`wildside db template refresh --template NAME`"
        )
    if info.sessions:
        # Nobody has business on a template; a stale session would fail the copy after ~5 s.
        progress.step(f"closing {info.sessions} session(s) on template {template}")
        q.terminate_sessions(conn, template)
    return info


def _ensure_role(
    conn: q.Connection, pr: int, store: Store, target: Target, *, now: int, durable: bool
) -> bool:
    """Create the role, or give it a new password when none is stored.
    Returns whether credentials were written. `durable`: commit waits for
    the WAL flush (no later commit of this create will)."""
    role, database = naming.role_of(pr), naming.database_of(pr)
    exists = q.role_exists(conn, role)
    if exists and store.has(pr):
        return False
    if exists and naming.pr_of_comment(q.role_comment(conn, role)) != pr:
        raise BadInput(
            f"role {role} exists but carries no wildside marker: refusing to take it over "
            "(drop or rename it by hand)"
        )
    password = generate_password()
    verifier = q.encrypted_password(conn, role, password)
    verb = "ALTER" if exists else "CREATE"
    statements = [
        sql.SQL("SET LOCAL synchronous_commit TO {}").format(sql.SQL("on" if durable else "off")),
        sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(ident(role), sql.Literal(verifier)),
    ]
    if not exists:
        statements.append(
            sql.SQL("COMMENT ON ROLE {} IS {}").format(
                ident(role), sql.Literal(naming.preview_comment(pr, now))
            )
        )
    q.run_together(conn, statements)
    store.save(pr, Credentials(target.host, target.port, database, role, password))
    return True


def _claim_lock(conn: q.Connection, template: str) -> AbstractContextManager[None]:
    """Held by a claim while it picks and renames a pool database, and by
    `pool fill` while it retires the ones it will drop: PostgreSQL does not
    serialise a RENAME against another session's ALTER or DROP of the same
    database by itself. Held for milliseconds, never across a clone."""
    return q.advisory_lock(conn, "pool-claim", template)


def _claim_from_pool(conn: q.Connection, template: q.DatabaseInfo, staging: str) -> bool:
    marker = naming.pool_comment(template.name, template.oid)
    with _claim_lock(conn, template.name):
        for name, comment in q.databases_like(conn, naming.POOL_PREFIX):
            if comment != marker:
                continue
            try:
                conn.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(ident(name), ident(staging))
                )
            except (psycopg.errors.InvalidCatalogName, psycopg.errors.ObjectInUse):
                continue  # dropped by hand, or someone is connected to it
            return True
    return False


def _finish(dsn: Dsn, conn: q.Connection, staging: str, pr: int, now: int) -> None:
    """Hand the staging database to the preview's role, then make it the
    preview's database in one transaction: the rename that makes it visible
    comes with its owner, grants and marker, durably committed."""
    role = naming.role_of(pr)
    if q.role_exists(conn, naming.TEMPLATE_OWNER):
        with connect(dsn, staging) as clone:
            q.run_together(
                clone,
                [
                    sql.SQL("SET LOCAL synchronous_commit TO off"),
                    sql.SQL("REASSIGN OWNED BY {} TO {}").format(
                        ident(naming.TEMPLATE_OWNER), ident(role)
                    ),
                ],
            )
            session = clone.info.backend_pid
        q.wait_until_closed(conn, session)
    q.run_together(
        conn,
        [
            sql.SQL("SET LOCAL synchronous_commit TO on"),
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(ident(staging), ident(role)),
            sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(ident(staging)),
            sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
                ident(staging), ident(role)
            ),
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                ident(staging), sql.Literal(naming.preview_comment(pr, now))
            ),
            sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                ident(staging), ident(naming.database_of(pr))
            ),
        ],
    )


def create(
    dsn: Dsn,
    pr: int,
    *,
    template: str,
    strategy: Strategy,
    store: Store,
    target: Target,
    use_pool: bool = True,
    progress: Progress = SILENT,
) -> CreateResult:
    started = time.perf_counter()
    database, role = naming.database_of(pr), naming.role_of(pr)
    staging = f"{database}__new"
    now = int(time.time())
    with connect(dsn) as conn, q.advisory_lock(conn, "preview", str(pr)):
        # Every step before the final rename is undone or redone by a re-run, so only
        # that last commit waits for the WAL flush (which makes the earlier ones durable too).
        conn.execute("SET synchronous_commit TO off")
        existing = q.database(conn, database)
        if existing is not None and not naming.is_preview(database, existing.comment):
            raise BadInput(
                f"database {database} exists but carries no wildside preview marker: refusing "
                "to use it (drop or rename it by hand)"
            )
        info = _template(conn, template, progress)  # refused before anything is written
        written = _ensure_role(conn, pr, store, target, now=now, durable=existing is not None)
        method, used_strategy = "existing", None
        if existing is None:
            if q.database(conn, staging) is not None:
                q.drop_database(conn, staging)  # left by an interrupted create
            if use_pool and _claim_from_pool(conn, info, staging):
                method = "pool"
            else:
                chosen = _clone(conn, info, staging, strategy, progress)
                method, used_strategy = "clone", chosen.name
            _finish(dsn, conn, staging, pr, now)
    return CreateResult(
        pr=pr,
        database=database,
        role=role,
        created=existing is None,
        method=method,
        strategy=used_strategy,
        credentials=store.location(pr),
        credentials_written=written,
        seconds=round(time.perf_counter() - started, 3),
    )


def drop(dsn: Dsn, pr: int, *, store: Store, progress: Progress = SILENT) -> DropResult:
    database, role = naming.database_of(pr), naming.role_of(pr)
    with connect(dsn) as conn, q.advisory_lock(conn, "preview", str(pr)):
        existing = q.database(conn, database)
        if existing is not None and not naming.is_preview(database, existing.comment):
            raise BadInput(
                f"refusing to drop {database}: it carries no wildside preview marker "
                "(COMMENT ON DATABASE), so it is not a preview database"
            )
        if existing is not None:
            progress.step(f"dropping {database} ({existing.sessions} session(s) terminated)")
            q.drop_database(conn, database)
        dropped_role = False
        if naming.pr_of_comment(q.role_comment(conn, role)) == pr:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(ident(role)))
            dropped_role = True
    removed = store.remove(pr)
    return DropResult(pr, database, existing is not None, dropped_role, removed)


def list_databases(dsn: Dsn) -> list[PreviewDatabase]:
    with connect(dsn) as conn:
        rows = conn.execute(
            "SELECT d.datname, shobj_description(d.oid, 'pg_database'), "
            "pg_get_userbyid(d.datdba), "
            "CASE WHEN has_database_privilege(d.oid, 'CONNECT') "
            "OR pg_has_role('pg_read_all_stats', 'MEMBER') THEN pg_database_size(d.oid) END "
            "FROM pg_database d WHERE d.datname LIKE 'preview\\_pr\\_%%' "
            "OR d.datname LIKE 'wildside\\_pool\\_%%' ORDER BY d.datname"
        ).fetchall()
    result = []
    for row in rows:
        name, comment, owner, size = (None if value is None else str(value) for value in row)
        text = comment
        if naming.is_preview(str(name), text):
            kind, pr = "preview", naming.pr_of_comment(text)
        elif (text or "").startswith(naming.POOL_MARKER):
            kind, pr = "pool", None
        else:
            continue
        result.append(
            PreviewDatabase(str(name), pr, kind, str(owner), None if size is None else int(size))
        )
    return result


def fill_pool(
    dsn: Dsn, *, template: str, size: int, strategy: Strategy, progress: Progress = SILENT
) -> PoolResult:
    if not 0 <= size <= 100:
        raise BadInput(f"--size {size} is out of range: give 0 to 100")
    with connect(dsn) as conn, q.advisory_lock(conn, "pool", template):
        info = _template(conn, template, progress)
        marker = naming.pool_comment(template, info.oid)
        with _claim_lock(conn, template):
            current, drop, stale = _pool_of(conn, template, info.oid, marker)
            drop += current[size:]
            for name in current[size:]:
                q.comment_on_database(conn, name, naming.retired_pool_comment(template))
        for name in drop:
            q.drop_database(conn, name)
        created = 0
        for _ in range(size - len(current)):
            name = naming.pool_database(info.oid)
            _clone(conn, info, name, strategy, progress)
            q.comment_on_database(conn, name, marker)  # from here on, a claim may take it
            created += 1
    return PoolResult(template, size, created, stale)


def _pool_of(
    conn: q.Connection, template: str, version: int, marker: str
) -> tuple[list[str], list[str], int]:
    """The template's claimable pool databases, the ones to drop, and how
    many of those are stale (cloned from a template that was refreshed since,
    retired by a fill that was interrupted, or left without a comment by an
    interrupted fill)."""
    prefix = naming.pool_comment_prefix(template)
    existing = {int(str(row[0])) for row in conn.execute("SELECT oid::int8 FROM pg_database")}
    current, stale = [], []
    for name, comment in q.databases_like(conn, naming.POOL_PREFIX):
        if comment == marker:
            current.append(name)
        elif (comment or "").startswith(prefix):
            stale.append(name)
        elif comment is None:
            # Fills of one template are serialised, so an unmarked database of this
            # version (or of a template that no longer exists) is nobody's work in progress.
            origin = naming.pool_version_of(name)
            if origin is not None and (origin == version or origin not in existing):
                stale.append(name)
    return current, stale, len(stale)
