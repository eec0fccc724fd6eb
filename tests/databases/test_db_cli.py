"""`wildside db` against a real PostgreSQL 15: create/drop idempotency,
markers, the pool, templates with open connections, concurrency, and
secrets that never reach stdout or stderr."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from support import postgres


def _read_env(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line)


def _no_secrets(result: Any, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in result.stdout
        assert secret not in result.stderr


def _exists(admin: psycopg.Connection[Any], name: str) -> bool:
    return (
        admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        is not None
    )


def test_create_is_idempotent_and_the_role_owns_a_private_database(
    cli: Any, db_env: dict[str, str], admin: psycopg.Connection[Any], seeded: postgres.Server
) -> None:
    first = cli("db", "create", "--pr", "101", "--no-pool", "--json", env=db_env)
    assert first.returncode == 0, first.stderr
    body = first.json()
    assert body["created"] is True and body["method"] == "clone"
    assert body["strategy"] == "WAL_LOG"  # auto: the test template is far below 200 MB
    credentials = Path(body["credentials"])
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    values = _read_env(credentials)
    _no_secrets(first, values["PGPASSWORD"], seeded.password)

    again = cli("db", "create", "--pr", "101", "--json", env=db_env)
    assert again.returncode == 0, again.stderr
    assert again.json()["created"] is False and again.json()["credentials_written"] is False
    assert _read_env(credentials) == values

    with psycopg.connect(values["DATABASE_URL"], autocommit=True) as app:
        app.execute("INSERT INTO items VALUES (100000, 'written by the preview')")
        assert app.execute("SELECT count(*) FROM items").fetchone() == (501,)
    assert cli("db", "create", "--pr", "102", "--no-pool", env=db_env).returncode == 0
    other = values["DATABASE_URL"].rsplit("/", 1)[0] + "/preview_pr_102"
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        psycopg.connect(other)

    dropped = cli("db", "drop", "--pr", "101", "--json", env=db_env)
    assert dropped.returncode == 0, dropped.stderr
    assert dropped.json()["dropped_database"] and dropped.json()["dropped_role"]
    assert not credentials.exists() and not _exists(admin, "preview_pr_101")
    twice = cli("db", "drop", "--pr", "101", "--json", env=db_env)
    assert twice.returncode == 0 and twice.json()["dropped_database"] is False
    cli("db", "drop", "--pr", "102", env=db_env)


def test_drop_terminates_open_sessions(
    cli: Any, db_env: dict[str, str], admin: psycopg.Connection[Any]
) -> None:
    created = cli("db", "create", "--pr", "103", "--json", env=db_env)
    values = _read_env(Path(created.json()["credentials"]))
    session = psycopg.connect(values["DATABASE_URL"], autocommit=True)
    session.execute("SELECT 1")
    result = cli("db", "drop", "--pr", "103", env=db_env)
    assert result.returncode == 0, result.stderr
    assert not _exists(admin, "preview_pr_103")
    with pytest.raises(psycopg.OperationalError):
        session.execute("SELECT 1")
    session.close()


def test_drop_refuses_a_database_without_the_marker(
    cli: Any, db_env: dict[str, str], admin: psycopg.Connection[Any]
) -> None:
    admin.execute("CREATE DATABASE preview_pr_104")
    result = cli("db", "drop", "--pr", "104", env=db_env)
    assert result.returncode == 2
    assert "refusing to drop preview_pr_104" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _exists(admin, "preview_pr_104")
    assert cli("db", "create", "--pr", "104", env=db_env).returncode == 2
    admin.execute("DROP DATABASE preview_pr_104")


def test_bad_input_is_refused_before_connecting(cli: Any, db_env: dict[str, str]) -> None:
    assert cli("db", "create", "--pr", "zero", env=db_env).returncode == 2
    assert cli("db", "create", "--pr", "5", "--template", "Bad-Name", env=db_env).returncode == 2
    env = {**db_env, "WILDSIDE_DB_DSN": ""}
    missing = cli("db", "list", env=env)
    assert missing.returncode == 2 and "WILDSIDE_DB_DSN" in missing.stderr


def test_connection_errors_never_show_the_dsn_password(cli: Any, db_env: dict[str, str]) -> None:
    secret = "hunter2-do-not-print"
    dsn = f"postgresql://postgres:{secret}@127.0.0.1:{postgres.free_port()}/postgres"
    result = cli("db", "list", env={**db_env, "WILDSIDE_DB_DSN": dsn})
    assert result.returncode == 1
    _no_secrets(result, secret)
    on_argv = cli("db", "list", "--dsn", dsn, env=db_env)
    assert on_argv.returncode == 2 and "process list" in on_argv.stderr
    _no_secrets(on_argv, secret)
    garbage = cli("db", "list", "--dsn", f"host=x password={secret} nonsense", env=db_env)
    assert garbage.returncode == 2
    _no_secrets(garbage, secret)


def _refresh(cli: Any, env: dict[str, str], name: str, inputs: tuple[Path, Path]) -> None:
    migrations, seed = inputs
    built = cli(
        "db", "template", "refresh", "--template", name,
        "--migrations", str(migrations), "--seed", str(seed), env=env,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr


def test_template_with_an_open_connection(
    cli: Any,
    db_env: dict[str, str],
    admin: psycopg.Connection[Any],
    seeded: postgres.Server,
    template_inputs: tuple[Path, Path],
) -> None:
    # A template someone is connected to: PostgreSQL alone would wait ~5 s and fail.
    _refresh(cli, db_env, "busy_template", template_inputs)
    admin.execute("ALTER DATABASE busy_template ALLOW_CONNECTIONS true")
    with psycopg.connect(seeded.dsn("busy_template")):
        handled = cli("db", "create", "--pr", "105", "--template", "busy_template", env=db_env)
    assert handled.returncode == 0, handled.stderr
    assert "closing 1 session(s)" in handled.stderr
    cli("db", "drop", "--pr", "105", env=db_env)
    admin.execute("ALTER DATABASE busy_template IS_TEMPLATE false")
    admin.execute("DROP DATABASE busy_template WITH (FORCE)")


def test_refresh_swaps_the_template_and_terminates_its_sessions(
    cli: Any,
    db_env: dict[str, str],
    admin: psycopg.Connection[Any],
    seeded: postgres.Server,
    template_inputs: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    migrations, seed = template_inputs
    args = [
        "db",
        "template",
        "refresh",
        "--template",
        "refresh_probe",
        "--migrations",
        str(migrations),
    ]
    built = cli(*args, "--seed", str(seed), "--json", env=db_env)
    assert built.returncode == 0, built.stderr
    assert built.json()["changed"] is True and built.json()["migrations"] == 2
    unchanged = cli(*args, "--seed", str(seed), "--json", env=db_env)
    assert unchanged.json()["changed"] is False
    row = admin.execute(
        "SELECT datistemplate, datallowconn FROM pg_database WHERE datname = 'refresh_probe'"
    ).fetchone()
    assert row == (True, False)

    admin.execute("ALTER DATABASE refresh_probe ALLOW_CONNECTIONS true")
    stale = psycopg.connect(seeded.dsn("refresh_probe"))
    bigger = tmp_path / "seed2.sql"
    bigger.write_text("INSERT INTO items SELECT g, 'v2' FROM generate_series(1, 900) g;\n")
    swapped = cli(*args, "--seed", str(bigger), "--json", env=db_env)
    assert swapped.returncode == 0, swapped.stderr
    assert swapped.json()["changed"] is True and swapped.json()["terminated_sessions"] >= 1
    with pytest.raises(psycopg.OperationalError):
        stale.execute("SELECT 1")
    names = [
        r[0]
        for r in admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'refresh_probe%'"
        )
    ]
    assert names == ["refresh_probe"]
    created = cli(
        "db", "create", "--pr", "107", "--template", "refresh_probe", "--json", env=db_env
    )
    values = _read_env(Path(created.json()["credentials"]))
    with psycopg.connect(values["DATABASE_URL"]) as app:
        assert app.execute("SELECT count(*) FROM items").fetchone() == (900,)
    cli("db", "drop", "--pr", "107", env=db_env)
    admin.execute("ALTER DATABASE refresh_probe IS_TEMPLATE false")
    admin.execute("DROP DATABASE refresh_probe WITH (FORCE)")


def test_pool_claim_and_list(
    cli: Any,
    db_env: dict[str, str],
    admin: psycopg.Connection[Any],
    template_inputs: tuple[Path, Path],
) -> None:
    _refresh(cli, db_env, "pool_template", template_inputs)
    filled = cli(
        "db", "pool", "fill", "--size", "2", "--template", "pool_template", "--json", env=db_env
    )
    assert filled.returncode == 0, filled.stderr
    assert filled.json()["created"] == 2
    refill = cli(
        "db", "pool", "fill", "--size", "2", "--template", "pool_template", "--json", env=db_env
    )
    assert refill.json()["created"] == 0
    claimed = cli(
        "db", "create", "--pr", "108", "--template", "pool_template", "--json", env=db_env
    )
    assert claimed.returncode == 0, claimed.stderr
    assert claimed.json()["method"] == "pool"
    values = _read_env(Path(claimed.json()["credentials"]))
    with psycopg.connect(values["DATABASE_URL"], autocommit=True) as app:
        app.execute("INSERT INTO items VALUES (100001, 'pool')")  # the role owns the tables
    rows = cli("db", "list", "--json", env=db_env).json()
    mine = [row for row in rows if row["name"] == "preview_pr_108"]
    assert mine and mine[0]["pr"] == 108 and mine[0]["kind"] == "preview"
    assert sum(row["kind"] == "pool" for row in rows) >= 1
    cli("db", "drop", "--pr", "108", env=db_env)
    drained = cli(
        "db", "pool", "fill", "--size", "0", "--template", "pool_template", "--json", env=db_env
    )
    assert drained.returncode == 0
    admin.execute("ALTER DATABASE pool_template IS_TEMPLATE false")
    admin.execute("DROP DATABASE pool_template WITH (FORCE)")


def test_concurrent_creates_for_different_prs(
    db_env: dict[str, str], admin: psycopg.Connection[Any]
) -> None:
    executable = str(Path(sys.executable).parent / "wildside")
    prs = [111, 112, 113, 114]
    env = {**os.environ, **db_env}
    processes = [
        subprocess.Popen(
            [executable, "db", "create", "--pr", str(pr), "--no-pool", "--quiet"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for pr in prs
    ]
    outcomes = [(process.wait(timeout=120), process.stderr.read()) for process in processes]  # type: ignore[union-attr]
    assert all(code == 0 for code, _ in outcomes), outcomes
    for pr in prs:
        assert _exists(admin, f"preview_pr_{pr}")
    drops = [
        subprocess.Popen([executable, "db", "drop", "--pr", str(pr), "--quiet"], env=env)
        for pr in prs
    ]
    assert all(process.wait(timeout=120) == 0 for process in drops)
    assert not any(_exists(admin, f"preview_pr_{pr}") for pr in prs)
