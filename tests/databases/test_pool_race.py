"""The warm pool under concurrency, against a real PostgreSQL 15: creates
claiming pool databases while `db pool fill` shrinks and refills the same
pool. Every racer succeeds, and afterwards every preview database exists
exactly once and nothing is left behind (no staging database, no unmarked or
excess pool database, no stray role). The racers run in threads, each with
its own server session, released together by a barrier: that lines their
catalogue updates up far more tightly than separate processes starting up
would. One interleaving the stress cannot hit on demand is forced below."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from wildside.databases import clones, credentials
from wildside.databases.dsn import resolve

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


def _race(racers: list[Callable[[], object]]) -> list[str]:
    """Runs every racer in its own thread and session, released at once."""
    barrier = threading.Barrier(len(racers))
    failures: list[str] = []

    def run(racer: Callable[[], object]) -> None:
        barrier.wait()
        try:
            racer()
        except Exception as error:  # every failure is the finding
            failures.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=run, args=(racer,)) for racer in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return failures


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
    dsn = resolve(db_env["WILDSIDE_DB_DSN"])
    store = credentials.FileStore(Path(db_env["WILDSIDE_DB_CREDENTIALS_DIR"]))
    target = clones.target_of(dsn, None)

    def create(pr: int) -> Callable[[], object]:
        return lambda: clones.create(
            dsn, pr, template=TEMPLATE, strategy=clones.Strategy.AUTO, store=store, target=target
        )

    def shrink() -> object:
        return clones.fill_pool(dsn, template=TEMPLATE, size=2, strategy=clones.Strategy.AUTO)

    all_prs: list[int] = []
    for round_number in range(ROUNDS):
        # A full pool, then a fill that shrinks it while the creates claim from it:
        # the fill drops databases that a claim may be renaming at that very moment.
        clones.fill_pool(dsn, template=TEMPLATE, size=4, strategy=clones.Strategy.AUTO)
        prs = [300 + 10 * round_number + index for index in range(CREATES)]
        all_prs += prs
        racers = [create(pr) for pr in prs]
        racers.insert(CREATES // 2, shrink)
        failures = _race(racers)
        assert failures == [], failures

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

        clones.fill_pool(dsn, template=TEMPLATE, size=2, strategy=clones.Strategy.AUTO)
        assert len(_pool(admin)) == 2

    for pr in all_prs:
        clones.drop(dsn, pr, store=store)
    clones.fill_pool(dsn, template=TEMPLATE, size=0, strategy=clones.Strategy.AUTO)
    assert _pool(admin) == {} and _names(admin, "preview\\_pr\\_3%") == []
    admin.execute(f"ALTER DATABASE {TEMPLATE} IS_TEMPLATE false")
    admin.execute(f"DROP DATABASE {TEMPLATE} WITH (FORCE)")


def test_a_fill_waits_for_a_claim_in_flight_and_skips_what_it_took(
    db_env: dict[str, str], admin: psycopg.Connection[Any]
) -> None:
    """A claim holds the claim lock and has renamed a pool database, not yet
    committed, when a fill that drops the whole pool starts. Without the lock
    the fill would update or drop that database's row under the rename ("tuple
    concurrently updated", or "does not exist" once it is gone); with it, the
    fill waits, then sees the pool without that database."""
    dsn = resolve(db_env["WILDSIDE_DB_DSN"])
    clones.fill_pool(dsn, template="wildside_template", size=2, strategy=clones.Strategy.AUTO)
    taken = sorted(_pool(admin))[0]
    failures: list[str] = []
    with psycopg.connect(db_env["WILDSIDE_DB_DSN"]) as claim:
        claim.execute(
            "SELECT pg_advisory_lock(hashtextextended(%s, 0))",
            ("wildside:pool-claim:wildside_template",),
        )
        claim.execute(f"ALTER DATABASE {taken} RENAME TO claim_in_flight")
        fill = threading.Thread(
            target=lambda: failures.extend(
                _race([lambda: clones.fill_pool(dsn, template="wildside_template", size=0,
                                                strategy=clones.Strategy.AUTO)])
            )
        )  # fmt: skip
        fill.start()
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        for _ in range(600):
            if not fill.is_alive() or admin.execute(waiting).fetchone() != (0,):
                break
            time.sleep(0.05)
        claim.commit()
        claim.execute(
            "SELECT pg_advisory_unlock(hashtextextended(%s, 0))",
            ("wildside:pool-claim:wildside_template",),
        )
        fill.join(timeout=60)
    assert failures == []
    assert _pool(admin) == {}
    admin.execute("DROP DATABASE claim_in_flight")


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
