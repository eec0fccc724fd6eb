"""Time to a usable preview database, four ways (and a variant), for templates of about
50 MB and 500 MB on a throwaway PostgreSQL 15 (fsync on, as in production):

  (a) pg_dump | pg_restore into a new database   (the baseline)
  (b) CREATE DATABASE ... TEMPLATE ... STRATEGY WAL_LOG
  (c) CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY
  (d) `wildside db create` claiming a warm pool database by rename
      (role, password to a 0600 file, ownership, marker included)
  (e) (d) without waiting for its own session on the staging database to
      leave before the final RENAME (as before that wait was added),
      alternating with (d), twice as many runs each

"Usable" means: created and answering a query on its largest table through a
new connection. Each figure is the median of several runs; ratios are to (a).
Targets: clone <= 1/5 of (a); pool claim <= 100 ms.

Run: .venv/bin/python benchmarks/db_clone.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from wildside.databases import clones, credentials
from wildside.databases.dsn import Dsn, resolve
from wildside.databases.template import TemplateSource, refresh

from support import postgres

ROW_BYTES = 300  # approximate heap + index bytes per generated row


def build_template(dsn: str, name: str, megabytes: int, scratch: Path) -> float:
    """Built by the real `wildside db template refresh` (`db create` clones
    nothing else); returns its size in MB."""
    rows = megabytes * 1_000_000 // ROW_BYTES
    migrations = scratch / f"migrations_{megabytes}"
    migrations.mkdir()
    (migrations / "001_items.sql").write_text(
        "CREATE TABLE items AS SELECT g AS id, md5(g::text) AS digest, "
        f"repeat('x', 180) AS pad, now() AS created FROM generate_series(1, {rows}) g;\n"
        "ALTER TABLE items ADD PRIMARY KEY (id);\n"
    )
    refresh(resolve(dsn), name, TemplateSource(migrations=migrations))
    with psycopg.connect(dsn, autocommit=True) as conn:
        size = conn.execute("SELECT pg_database_size(%s)", (name,)).fetchone()[0]  # type: ignore[index]
    return float(size) / 1_000_000


def usable(dsn: str, database: str) -> None:
    with psycopg.connect(dsn.rsplit("/", 1)[0] + "/" + database) as conn:
        conn.execute("SELECT id FROM items ORDER BY id DESC LIMIT 1").fetchone()


def drop(dsn: str, database: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )


def timed(
    runs: int,
    prepare: Callable[[int], None],
    act: Callable[[int], None],
    cleanup: Callable[[int], None],
) -> float:
    samples = []
    for run in range(runs):
        prepare(run)
        started = time.perf_counter()
        act(run)
        samples.append(time.perf_counter() - started)
        cleanup(run)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 MB only, fewer runs")
    args = parser.parse_args()
    sizes = (
        [(50, 5, 5)] if args.quick else [(50, 5, 5), (500, 2, 3)]
    )  # MB, baseline runs, other runs
    results: list[tuple[str, float, dict[str, float]]] = []
    with (
        postgres.running(
            fsync=True, settings={"shared_buffers": "256MB", "max_wal_size": "4GB"}
        ) as server,
        tempfile.TemporaryDirectory() as scratch,
    ):
        dsn = server.dsn()
        env = {"PGPASSWORD": server.password, "PATH": "/usr/bin:/bin"}
        for megabytes, baseline_runs, runs in sizes:
            template = f"bench_{megabytes}mb"
            print(f"building a {megabytes} MB template ...", file=sys.stderr, flush=True)
            actual = build_template(dsn, template, megabytes, Path(scratch))
            timings: dict[str, float] = {}
            connection = f"host=127.0.0.1 port={server.port} user=postgres"

            def dump_restore(
                run: int, template: str = template, connection: str = connection
            ) -> None:
                target = f"restore_{run}"
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
                # pg_dump refuses a database that disallows connections: open it for the dump.
                dumper = subprocess.Popen(
                    [
                        str(server.bin_dir / "pg_dump"),
                        "-Fc",
                        "-Z0",
                        "-d",
                        f"{connection} dbname={template}",
                    ],
                    stdout=subprocess.PIPE,
                    env=env,
                )
                subprocess.run(
                    [
                        str(server.bin_dir / "pg_restore"),
                        "--no-owner",
                        "-d",
                        f"{connection} dbname={target}",
                    ],
                    stdin=dumper.stdout,
                    check=True,
                    env=env,
                )
                assert dumper.wait() == 0
                usable(dsn, target)

            def allow(flag: bool, template: str = template) -> None:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(
                        sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
                            sql.Identifier(template), sql.SQL("true" if flag else "false")
                        )
                    )

            allow(True)
            timings["a"] = timed(
                baseline_runs,
                lambda run: None,
                dump_restore,
                lambda run: drop(dsn, f"restore_{run}"),
            )
            allow(False)
            print(f"  (a) dump|restore {timings['a']:.2f} s", file=sys.stderr, flush=True)
            for key, strategy in (("b", "WAL_LOG"), ("c", "FILE_COPY")):

                def clone(run: int, strategy: str = strategy, template: str = template) -> None:
                    with psycopg.connect(dsn, autocommit=True) as conn:
                        conn.execute(
                            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY {}").format(
                                sql.Identifier(f"clone_{run}"),
                                sql.Identifier(template),
                                sql.SQL(strategy),
                            )
                        )
                    usable(dsn, f"clone_{run}")

                timings[key] = timed(
                    runs, lambda run: None, clone, lambda run: drop(dsn, f"clone_{run}")
                )
                print(f"  ({key}) {strategy} {timings[key]:.3f} s", file=sys.stderr, flush=True)

            parsed = resolve(dsn)
            store = credentials.FileStore(Path(scratch) / "creds")
            target = clones.target_of(parsed, None)

            def fill(run: int, template: str = template, parsed: Dsn = parsed) -> None:
                clones.fill_pool(
                    parsed, template=template, size=1, strategy=clones.Strategy.FILE_COPY
                )

            def claim(
                run: int,
                template: str = template,
                parsed: Dsn = parsed,
                store: credentials.FileStore = store,
                target: clones.Target = target,
            ) -> None:
                result = clones.create(
                    parsed,
                    9000 + run,
                    template=template,
                    strategy=clones.Strategy.FILE_COPY,
                    store=store,
                    target=target,
                )
                assert result.method == "pool", result
                usable(dsn, result.database)

            def release(
                run: int, parsed: Dsn = parsed, store: credentials.FileStore = store
            ) -> None:
                clones.drop(parsed, 9000 + run, store=store)

            # Alternating with the claim as it was before it waited for its own session
            # on the staging database to leave (then the RENAME slept 100 ms when it
            # had not): the baseline for that change, in the same minutes.
            waiting, not_waiting = [], []
            for _ in range(runs * 2):
                waiting.append(timed(1, fill, claim, release))
                with mock.patch("wildside.databases.sql.wait_until_closed", lambda *args: None):
                    not_waiting.append(timed(1, fill, claim, release))
            timings["d"] = statistics.median(waiting)
            timings["e"] = statistics.median(not_waiting)
            print(f"  (d) pool claim {timings['d'] * 1000:.1f} ms", file=sys.stderr, flush=True)
            clones.fill_pool(parsed, template=template, size=0, strategy=clones.Strategy.FILE_COPY)
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("ALTER DATABASE {} IS_TEMPLATE false").format(sql.Identifier(template))
                )
            drop(dsn, template)
            results.append((f"{megabytes} MB (actual {actual:.0f} MB)", actual, timings))

    labels = {
        "a": "(a) pg_dump | pg_restore",
        "b": "(b) clone, STRATEGY WAL_LOG",
        "c": "(c) clone, STRATEGY FILE_COPY",
        "d": "(d) pool claim (wildside db create)",
        "e": "(e) (d) without waiting for its session",
    }
    print("PostgreSQL 15, fsync on, loopback; median time to a usable database")
    for title, _, timings in results:
        print(f"\ntemplate {title}")
        print(f"  {'method':<38} {'seconds':>9} {'vs (a)':>9}")
        for key in "abcde":
            ratio = timings[key] / timings["a"]
            print(f"  {labels[key]:<38} {timings[key]:>9.3f} {ratio:>8.3f}x")
        best_clone = min(timings["b"], timings["c"])
        print(
            f"  clone <= 1/5 of (a): {'yes' if best_clone <= timings['a'] / 5 else 'NO'}"
            f" ({timings['a'] / best_clone:.0f}x faster);"
            f" pool claim <= 100 ms: {'yes' if timings['d'] <= 0.1 else 'NO'}"
        )


if __name__ == "__main__":
    main()
