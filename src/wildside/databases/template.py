"""Build or refresh the template database. The new template is built under
a temporary name and swapped in by rename inside one transaction, so a clone
never sees a half-built template. It ends up marked IS_TEMPLATE, closed to
connections and with no session left on it: PostgreSQL refuses to copy a
template anyone is connected to (it waits about 5 s, then fails)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

from wildside.contract import db_marker
from wildside.core.errors import BadInput, OperationalError
from wildside.core.output import SILENT, Progress
from wildside.databases import naming
from wildside.databases import sql as q
from wildside.databases.connection import connect
from wildside.databases.dsn import Dsn

PG_BIN_ENV = "WILDSIDE_PG_BIN"


@dataclass(frozen=True)
class TemplateSource:
    migrations: Path | None = None
    seed: Path | None = None
    dump: Path | None = None

    def migration_files(self) -> list[Path]:
        if self.migrations is None:
            return []
        return sorted(path for path in self.migrations.glob("*.sql") if path.is_file())

    def digest(self) -> str:
        """Same inputs, same digest: a refresh with unchanged inputs is a no-op."""
        digest = hashlib.sha256()
        for kind, path in (
            *(("migration", path) for path in self.migration_files()),
            ("seed", self.seed),
            ("dump", self.dump),
        ):
            if path is None:
                continue
            digest.update(f"{kind}:{path.name}\0".encode())
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
        return digest.hexdigest()


@dataclass(frozen=True)
class RefreshResult:
    template: str
    changed: bool
    digest: str
    migrations: int
    terminated_sessions: int


def validate_source(source: TemplateSource) -> TemplateSource:
    if source.seed and source.dump:
        raise BadInput("--seed and --dump exclude each other: give one source of data")
    if source.migrations is not None and not source.migrations.is_dir():
        raise BadInput(f"--migrations {source.migrations} is not a directory")
    for option, path in (("--seed", source.seed), ("--dump", source.dump)):
        if path is not None and not path.is_file():
            raise BadInput(f"{option} {path} is not a file")
    for path in [*source.migration_files(), *([source.seed] if source.seed else [])]:
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise BadInput(f"{path} is not UTF-8 text: save the SQL as UTF-8") from None
    return source


def template_name(value: str) -> str:
    if not naming.is_identifier(value) or value.startswith(
        (naming.PREVIEW_PREFIX, naming.POOL_PREFIX)
    ):
        raise BadInput(
            f"--template {value!r} is not a usable template name: give a lower-case PostgreSQL "
            "identifier (letters, digits, _) that does not start with preview_pr_ or wildside_pool_"
        )
    return value


def _pg_tool(name: str) -> str:
    configured = os.environ.get(PG_BIN_ENV)
    candidates = [Path(configured) / name] if configured else []
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise OperationalError(f"{name} not found: install the PostgreSQL client or set ${PG_BIN_ENV}")


def _libpq_env(dsn: Dsn, database: str) -> dict[str, str]:
    """Connection settings for pg_restore/psql via the environment, never argv."""
    env = dict(os.environ)
    env["PGDATABASE"] = database
    for field, variable in (
        ("host", "PGHOST"),
        ("port", "PGPORT"),
        ("user", "PGUSER"),
        ("password", "PGPASSWORD"),
        ("sslmode", "PGSSLMODE"),
    ):
        value = dsn.field(field)
        if value is not None:
            env[variable] = value
    return env


def _load_dump(dsn: Dsn, database: str, dump: Path) -> None:
    with dump.open("rb") as handle:
        custom_format = handle.read(5) == b"PGDMP"
    if custom_format:
        command = [
            _pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--role={naming.TEMPLATE_OWNER}",
            "--dbname",
            database,
            str(dump),
        ]
    else:
        command = [
            _pg_tool("psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            f"SET ROLE {naming.TEMPLATE_OWNER}",
            "-f",
            str(dump),
        ]
    completed = subprocess.run(
        command, env=_libpq_env(dsn, database), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        detail = dsn.redact(" ".join(completed.stderr.split()))[:300]
        raise OperationalError(f"loading {dump.name} into the template failed: {detail}")


def _build(dsn: Dsn, building: str, source: TemplateSource, progress: Progress) -> int:
    files = source.migration_files()
    with connect(dsn, building) as build:
        # Objects belong to a NOLOGIN role so every clone can hand them to its own role.
        build.execute(
            sql.SQL("GRANT CREATE, USAGE ON SCHEMA public TO {}").format(
                sql.Identifier(naming.TEMPLATE_OWNER)
            )
        )
        build.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(naming.TEMPLATE_OWNER)))
        for path in files:
            progress.step(f"migration {path.name}")
            with build.transaction():
                build.execute(path.read_text(encoding="utf-8").encode())
        if source.seed is not None:
            progress.step(f"seed {source.seed.name}")
            with build.transaction():
                build.execute(source.seed.read_text(encoding="utf-8").encode())
        build.execute("RESET ROLE")
    if source.dump is not None:
        progress.step(f"restore {source.dump.name}")
        _load_dump(dsn, building, source.dump)
    with connect(dsn, building) as build:
        build.execute("VACUUM (FREEZE, ANALYZE)")  # clones inherit frozen, analysed tables
    return len(files)


def refresh(
    dsn: Dsn,
    template: str,
    source: TemplateSource,
    *,
    force: bool = False,
    progress: Progress = SILENT,
) -> RefreshResult:
    digest = source.digest()
    marker = db_marker.template_comment(digest)
    building, retired = naming.building_name(template), naming.retired_name(template)
    ident = sql.Identifier
    with connect(dsn) as conn, q.advisory_lock(conn, "template", template):
        current = q.database(conn, template)
        if current and current.comment == marker and current.is_template and not force:
            terminated = q.terminate_sessions(conn, template) if current.sessions else 0
            return RefreshResult(template, False, digest, len(source.migration_files()), terminated)
        if not q.role_exists(conn, naming.TEMPLATE_OWNER):
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(ident(naming.TEMPLATE_OWNER)))
        if q.database(conn, building):
            q.drop_database(conn, building)
        progress.step(f"building {building}")
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(ident(building)))
    try:
        migrations = _build(dsn, building, source, progress)
    except BaseException:
        with connect(dsn) as conn:
            q.drop_database(conn, building)
        raise
    with connect(dsn) as conn, q.advisory_lock(conn, "template", template):
        q.comment_on_database(conn, building, marker)
        conn.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(ident(building)))
        if q.database(conn, retired) is not None:
            q.drop_database(conn, retired)  # left by an interrupted refresh
        terminated = 0
        progress.step(f"swapping {building} in as {template}")
        with conn.transaction():
            terminated += q.terminate_sessions(conn, building)
            if q.database(conn, template) is not None:
                conn.execute(
                    sql.SQL(
                        "ALTER DATABASE {} WITH IS_TEMPLATE false ALLOW_CONNECTIONS false"
                    ).format(ident(template))
                )
                terminated += q.terminate_sessions(conn, template)
                conn.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                        ident(template), ident(retired)
                    )
                )
            conn.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(ident(building), ident(template))
            )
            conn.execute(sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true").format(ident(template)))
        if q.database(conn, retired) is not None:
            q.drop_database(conn, retired)
    return RefreshResult(template, True, digest, migrations, terminated)
