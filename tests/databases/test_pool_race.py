"""The warm pool under concurrency, against a real PostgreSQL 15: creates
claiming pool databases while `db pool fill` shrinks and refills the same
pool. Every process succeeds, and afterwards every preview database exists
exactly once and nothing is left behind (no staging database, no unmarked or
excess pool database, no stray role)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg

TEMPLATE = "race_template"
ROUNDS, CREATES = 3, 6


def _names(admin: psycopg.Connection[Any], pattern: str) -> list[str]:
    rows = admin.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY datname", (pattern,)
    )
    return [str(row[0]) for row in rows]


def _pool(admin: psycopg.Connection[Any]) -> dict[str, str | None]:
    rows = admin.execute(
        "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
        "WHERE datname LIKE 'wildside\\_pool\\_%'"
    )
    return {str(name): comment for name, comment in rows}


def test_concurrent_creates_race_a_pool_fill_without_failures_or_leaks(
    cli: Any,
    db_env: dict[str, str],
    admin: psycopg.Connection[Any],
    template_inputs: tuple[Path, Path],
) -> None:
    migrations, seed = template_inputs
    refreshed = cli(
        "db", "template", "refresh", "--template", TEMPLATE,
        "--migrations", str(migrations), "--seed", str(seed), env=db_env,
    )  # fmt: skip
    assert refreshed.returncode == 0, refreshed.stderr
    executable = str(Path(sys.executable).parent / "wildside")
    env = {**os.environ, **db_env}

    def start(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [executable, "db", *args, "--template", TEMPLATE, "--quiet"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    all_prs: list[int] = []
    for round_number in range(ROUNDS):
        # A full pool, then a fill that shrinks it while the creates claim from it:
        # the fill drops databases that a claim may be renaming at that very moment.
        assert cli("db", "pool", "fill", "--size", "4", "--template", TEMPLATE, env=db_env)
        prs = [300 + 10 * round_number + index for index in range(CREATES)]
        all_prs += prs
        processes = [start("create", "--pr", str(pr)) for pr in prs]
        processes.insert(CREATES // 2, start("pool", "fill", "--size", "2"))
        outcomes = [(process.wait(timeout=300), process.communicate()[1]) for process in processes]
        assert all(code == 0 for code, _ in outcomes), [err for code, err in outcomes if code]

        assert _names(admin, "preview\\_pr\\_3%") == sorted(f"preview_pr_{pr}" for pr in all_prs)
        assert _names(admin, "%\\_\\_new") == []
        roles = admin.execute(
            "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'preview\\_pr\\_3%'"
        )
        assert roles.fetchone() == (len(all_prs),)
        pool = _pool(admin)
        assert len(pool) <= 4, pool
        assert all(
            (comment or "").startswith(f"wildside-pool template={TEMPLATE} ")
            for comment in pool.values()
        ), pool

        settled = cli("db", "pool", "fill", "--size", "2", "--template", TEMPLATE, env=db_env)
        assert settled.returncode == 0, settled.stderr
        assert len(_pool(admin)) == 2

    for pr in all_prs:
        assert cli("db", "drop", "--pr", str(pr), env=db_env).returncode == 0
    assert cli("db", "pool", "fill", "--size", "0", "--template", TEMPLATE, env=db_env)
    assert _pool(admin) == {} and _names(admin, "preview\\_pr\\_3%") == []
    admin.execute(f"ALTER DATABASE {TEMPLATE} IS_TEMPLATE false")
    admin.execute(f"DROP DATABASE {TEMPLATE} WITH (FORCE)")


def test_fill_clears_what_an_interrupted_fill_left(
    cli: Any, db_env: dict[str, str], admin: psycopg.Connection[Any]
) -> None:
    """A fill killed between CREATE DATABASE and its comment leaves an
    unmarked pool database; one killed after retiring a database leaves it
    retired. The next fill drops both and claims never take them."""
    row = admin.execute("SELECT oid FROM pg_database WHERE datname = 'wildside_template'")
    version = row.fetchone()[0]  # type: ignore[index]
    unmarked, retired = f"wildside_pool_{version}_0123456789ab", "wildside_pool_1_0123456789ab"
    admin.execute(f"CREATE DATABASE {unmarked} TEMPLATE wildside_template")
    admin.execute(f"CREATE DATABASE {retired} TEMPLATE wildside_template")
    admin.execute(
        f"COMMENT ON DATABASE {retired} IS 'wildside-pool template=wildside_template retired'"
    )
    claimed = cli("db", "create", "--pr", "399", "--json", env=db_env)
    assert claimed.returncode == 0 and claimed.json()["method"] == "clone", claimed.stderr
    filled = cli("db", "pool", "fill", "--size", "1", "--json", env=db_env)
    assert filled.returncode == 0, filled.stderr
    assert filled.json()["dropped_stale"] == 2 and filled.json()["created"] == 1
    pool = _pool(admin)
    assert unmarked not in pool and retired not in pool and len(pool) == 1
    assert cli("db", "pool", "fill", "--size", "0", env=db_env).returncode == 0
    assert cli("db", "drop", "--pr", "399", env=db_env).returncode == 0
