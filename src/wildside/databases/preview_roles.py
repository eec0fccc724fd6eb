"""The role a declarative preview database leaves behind: CloudNativePG drops
the database when Flux prunes its `Database`, but the role (created by the
preview's role Job) stays. `preview gc` finishes it here, once no database
is owned by it any more."""

from __future__ import annotations

from enum import StrEnum

from psycopg import sql

from wildside.contract.identity import PreviewIdentity
from wildside.databases import naming
from wildside.databases import sql as q
from wildside.databases.connection import connect
from wildside.databases.dsn import Dsn


class RoleOutcome(StrEnum):
    DROPPED = "dropped"
    ABSENT = "absent"
    BUSY = "owns a database still"  # Flux has not pruned the Database yet: next run
    FOREIGN = "has no wildside marker for this PR"  # never dropped


def drop_preview_role(dsn: Dsn, role: str, pr: int) -> RoleOutcome:
    with connect(dsn) as conn, q.advisory_lock(conn, "preview-role", role):
        if not q.role_exists(conn, role):
            return RoleOutcome.ABSENT
        if naming.pr_of_comment(q.role_comment(conn, role)) != pr:
            return RoleOutcome.FOREIGN
        owned = conn.execute(
            "SELECT 1 FROM pg_database d JOIN pg_roles r ON d.datdba = r.oid WHERE r.rolname = %s",
            (role,),
        ).fetchone()
        if owned is not None:
            return RoleOutcome.BUSY
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        return RoleOutcome.DROPPED


def preview_roles(dsn: Dsn, app: str) -> list[tuple[str, int, int]]:
    """(role, PR, created epoch) of every role of `app`'s previews that carries
    the wildside marker; gc drops the ones no preview owns any more."""
    prefix = PreviewIdentity(app, 0).database_role.removesuffix("0")
    pattern = prefix.replace("_", "\\_") + "%"
    with connect(dsn) as conn:
        rows = conn.execute(
            "SELECT rolname, shobj_description(oid, 'pg_authid') FROM pg_roles "
            "WHERE rolname LIKE %s",
            (pattern,),
        ).fetchall()
    found = []
    for name, comment in rows:
        pr = naming.pr_of_comment(None if comment is None else str(comment))
        if pr is None or str(name) != PreviewIdentity(app, pr).database_role:
            continue
        created = str(comment).rsplit("created=", 1)[-1]
        found.append((str(name), pr, int(created) if created.isdigit() else 0))
    return sorted(found)
