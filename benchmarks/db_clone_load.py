"""Preview databases on a busy shared PostgreSQL: how long a new preview
waits for its database, and what that costs the previews already running.

One throwaway PostgreSQL 15 (fsync on, as in production) plays the shared
preview cluster. Several "live previews" (pgbench databases) each run a
steady, rate-limited pgbench write workload for the whole benchmark. Beside
them, templates of about 50 MB and 500 MB are built with the real
`wildside db template refresh`, and a new preview database is made again and
again, four ways:

  (a) pg_dump | pg_restore into a new database       (the baseline)
  (b) `db create --no-pool --strategy wal_log`
  (c) `db create --no-pool --strategy file_copy`
  (d) `db create` claiming a warm pool database     (`db pool fill` beforehand)
  (e) `db create --no-pool` with the default strategy, auto (the rule in
      wildside.databases.clones.choose; what it chose is printed)
  (i) (d) as it was before it waited for its own session on the staging
      database to leave (the final RENAME then slept 100 ms when it had not)
  (f)-(h) for a template of 200 MB or more: (b), (c) and (e) again, each run
      just after 200 MB were written to the live previews, a backlog the
      checkpoint that FILE_COPY starts with has to flush

Reported per size and way: time to a usable database (created, role and
credentials included, answering a query on its largest table through a new
connection), p50 and p95 over the runs; and the live previews' transaction
latency p99 in a quiet window just before the runs and during them (every
transaction that overlapped a run). pgbench runs with --rate, so a stall
shows as latency: a transaction that had to wait counts from when it was due.

Targets (issue 19): time to a usable database <= 1/5 of (a) under load;
live previews' p99 during <= 2x before; pool claim <= 100 ms.

The WAL the load writes per second is printed, to compare with a real cluster.

Run: .venv/bin/python benchmarks/db_clone_load.py [--quick]
(~13 min on a busy 2-core machine; --quick, 50 MB only, ~5 min)
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from wildside.databases import clones, credentials, template
from wildside.databases.dsn import Dsn, resolve

from support import postgres

ROW_BYTES = 300  # approximate heap + index bytes per generated row
LIVE_PREVIEWS = 4
PGBENCH_SCALE = 4  # ~60 MB per live preview
RATE_PER_PREVIEW = 40  # transactions per second, each a TPC-B-like write
QUIET_WINDOW = 8.0  # seconds of load alone before each way's runs
SETTLE = 2.5  # seconds after each run's cleanup (DROP DATABASE checkpoints)


@dataclass
class Outcome:
    seconds: list[float] = field(default_factory=list)
    windows: list[tuple[float, float]] = field(default_factory=list)  # wall clock
    quiet: tuple[float, float] = (0.0, 0.0)
    wal_rate: float = 0.0  # bytes/s since the last checkpoint, what `auto` reads


def percentile(values: list[float], q: float) -> float:
    """Nearest rank; the median for q=50."""
    if not values:
        return float("nan")
    if q == 50:
        return statistics.median(values)
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def template_inputs(root: Path, megabytes: int) -> template.TemplateSource:
    rows = megabytes * 1_000_000 // ROW_BYTES
    migrations = root / f"migrations_{megabytes}"
    migrations.mkdir()
    (migrations / "001_items.sql").write_text(
        "CREATE TABLE items AS SELECT g AS id, md5(g::text) AS digest, "
        f"repeat('x', 180) AS pad, now() AS created FROM generate_series(1, {rows}) g;\n"
        "ALTER TABLE items ADD PRIMARY KEY (id);\n"
    )
    return template.TemplateSource(migrations=migrations)


def usable(dsn: str, database: str) -> None:
    with psycopg.connect(dsn.rsplit("/", 1)[0] + "/" + database) as conn:
        conn.execute("SELECT id FROM items ORDER BY id DESC LIMIT 1").fetchone()


def drop(dsn: str, database: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )


def allow_connections(dsn: str, database: str, flag: bool) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
                sql.Identifier(database), sql.SQL("true" if flag else "false")
            )
        )


def measure(
    dsn: str,
    runs: int,
    act: Callable[[int], None],
    prepare: Callable[[int], None],
    cleanup: Callable[[int], None],
) -> Outcome:
    """The quiet window follows a CHECKPOINT, so the writes a previous way left
    for the checkpointer (WAL_LOG defers writing its copy) do not count as
    this way's baseline."""
    outcome = Outcome()
    prepare(0)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
    time.sleep(SETTLE)
    started = time.time()
    time.sleep(QUIET_WINDOW)
    outcome.quiet = (started, time.time())
    with psycopg.connect(dsn, autocommit=True) as conn:
        outcome.wal_rate = wal_rate(conn)
    for run in range(runs):
        if run:
            prepare(run)
            time.sleep(SETTLE)
        begin, tick = time.time(), time.perf_counter()
        act(run)
        outcome.seconds.append(time.perf_counter() - tick)
        outcome.windows.append((begin, time.time()))
        cleanup(run)
        time.sleep(SETTLE)
    return outcome


def wal_rate(conn: psycopg.Connection[tuple[object, ...]]) -> float:
    """WAL bytes per second since the last checkpoint: how hard the load writes."""
    row = conn.execute(
        "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn)::float8 "
        "/ greatest(extract(epoch FROM now() - checkpoint_time)::float8, 1) "
        "FROM pg_control_checkpoint()"
    ).fetchone()
    return float(str(row[0])) if row else 0.0


def load_latencies(log_dir: Path) -> list[tuple[float, float]]:
    """(start, end) wall-clock seconds of every logged pgbench transaction."""
    spans = []
    for path in log_dir.glob("live.*"):
        for line in path.read_text().splitlines():
            fields = line.split()
            if len(fields) < 6:
                continue
            latency = int(fields[2]) / 1e6
            end = int(fields[4]) + int(fields[5]) / 1e6
            spans.append((end - latency, end))
    return spans


def p99_within(
    spans: list[tuple[float, float]], windows: list[tuple[float, float]]
) -> tuple[float, int]:
    hits = [
        end - start
        for start, end in spans
        if any(start < w_end and end > w_start for w_start, w_end in windows)
    ]
    return percentile(hits, 99), len(hits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 MB only, fewer runs")
    args = parser.parse_args()
    sizes = [(50, 3, 7)] if args.quick else [(50, 3, 7), (500, 2, 4)]  # MB, (a) runs, others
    results: list[tuple[str, dict[str, Outcome]]] = []
    load_before = os.getloadavg()[0]
    with (
        postgres.running(
            fsync=True,
            settings={"shared_buffers": "256MB", "max_wal_size": "4GB", "max_connections": "60"},
        ) as server,
        tempfile.TemporaryDirectory() as scratch_name,
    ):
        scratch = Path(scratch_name)
        dsn, parsed = server.dsn(), resolve(server.dsn())
        env = {**os.environ, "PGPASSWORD": server.password}
        connection = f"host=127.0.0.1 port={server.port} user=postgres"
        pgbench = str(server.bin_dir / "pgbench")
        for megabytes, _, _ in sizes:
            print(f"building a {megabytes} MB template ...", file=sys.stderr, flush=True)
            template.refresh(parsed, f"bench_{megabytes}mb", template_inputs(scratch, megabytes))
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
            time.sleep(QUIET_WINDOW)
            idle_rate = wal_rate(conn)
        print(f"initialising {LIVE_PREVIEWS} live previews ...", file=sys.stderr, flush=True)
        with psycopg.connect(dsn, autocommit=True) as conn:
            for index in range(LIVE_PREVIEWS):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(f"live_{index}")))
        for index in range(LIVE_PREVIEWS):
            subprocess.run(
                [pgbench, "-i", "-q", "-s", str(PGBENCH_SCALE), f"{connection} dbname=live_{index}"],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
        logs = scratch / "logs"
        logs.mkdir()
        load = [
            subprocess.Popen(
                [
                    pgbench,
                    "-n",
                    "-c",
                    "1",
                    "-j",
                    "1",
                    "-R",
                    str(RATE_PER_PREVIEW),
                    "-T",
                    "3600",
                    "-l",
                    f"--log-prefix={logs}/live",
                    f"{connection} dbname=live_{index}",
                ],
                env=env,
                cwd=logs,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for index in range(LIVE_PREVIEWS)
        ]
        time.sleep(5)  # warm-up
        store = credentials.FileStore(scratch / "creds")
        target = clones.target_of(parsed, None)
        try:
            for megabytes, baseline_runs, runs in sizes:
                name = f"bench_{megabytes}mb"
                results.append(
                    (
                        name,
                        run_size(
                            server,
                            dsn,
                            parsed,
                            env,
                            connection,
                            name,
                            megabytes,
                            store,
                            target,
                            baseline_runs,
                            runs,
                        ),
                    )
                )
        finally:
            for process in load:
                process.send_signal(signal.SIGTERM)
            for process in load:
                process.wait(timeout=30)
        spans = load_latencies(logs)

    print(
        f"PostgreSQL 15, fsync on, loopback; {LIVE_PREVIEWS} live previews under pgbench "
        f"(TPC-B-like, {RATE_PER_PREVIEW} tx/s each, --rate); machine load average "
        f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )
    labels = {
        "a": "(a) pg_dump | pg_restore",
        "b": "(b) db create, WAL_LOG",
        "c": "(c) db create, FILE_COPY",
        "d": "(d) db create, pool claim",
        "e": "(e) db create, auto",
        "f": "(f) WAL_LOG, with backlog",
        "g": "(g) FILE_COPY, with backlog",
        "h": "(h) auto, with backlog",
        "i": "(i) (d), no session wait",
    }
    quiet = [outcome.quiet for _, outcomes in results for outcome in outcomes.values()]
    quiet_p99, quiet_count = p99_within(spans, quiet)
    print(
        f"live previews' p99 with nothing else running: {quiet_p99 * 1000:.1f} ms "
        f"(every quiet window pooled, {quiet_count} transactions)"
    )
    rates = [outcome.wal_rate for _, outcomes in results for outcome in outcomes.values()]
    print(
        f"WAL written per second since the last checkpoint: idle server "
        f"{idle_rate / 1024:.0f} KB/s; under the load, at the end of each quiet window, "
        f"median {statistics.median(rates) / 1024:.0f} KB/s, min {min(rates) / 1024:.0f} KB/s"
    )
    for name, outcomes in results:
        baseline = statistics.median(outcomes["a"].seconds)
        print(f"\ntemplate {name}")
        print(
            f"  {'method':<28} {'p50 s':>8} {'p95 s':>8} {'p50 vs (a)':>11}"
            f" {'live p99 just before':>21} {'during':>10} {'vs quiet':>9} {'n':>5}"
        )
        for key, outcome in outcomes.items():
            p50, p95 = percentile(outcome.seconds, 50), percentile(outcome.seconds, 95)
            before, _ = p99_within(spans, [outcome.quiet])
            during, count = p99_within(spans, outcome.windows)
            print(
                f"  {labels[key]:<28} {p50:>8.3f} {p95:>8.3f} {p50 / baseline:>10.3f}x"
                f" {before * 1000:>18.1f} ms {during * 1000:>7.1f} ms"
                f" {during / quiet_p99:>8.1f}x {count:>5}"
            )
        for asked, label in (("auto", "auto"), ("auto+backlog", "auto with backlog")):
            used = chosen.get((name, asked), [])
            if used:
                picks = ", ".join(f"{s} x{used.count(s)}" for s in sorted(set(used)))
                print(f"  {label} chose: {picks}")
        if name in backlog:
            print(
                f"  (f)-(h): {BACKLOG_MB} MB written to the live previews just before each "
                f"run; WAL since the last checkpoint at the last run: {backlog[name]:.0f} MB"
            )


def run_size(
    server: postgres.Server,
    dsn: str,
    parsed: Dsn,
    env: dict[str, str],
    connection: str,
    name: str,
    megabytes: int,
    store: credentials.FileStore,
    target: clones.Target,
    baseline_runs: int,
    runs: int,
) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}

    def dump_restore(run: int) -> None:
        restored = f"restore_{run}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(restored)))
        dumper = subprocess.Popen(
            [str(server.bin_dir / "pg_dump"), "-Fc", "-Z0", "-d", f"{connection} dbname={name}"],
            stdout=subprocess.PIPE, env=env,
        )  # fmt: skip
        subprocess.run(
            [str(server.bin_dir / "pg_restore"), "--no-owner", "-d", f"{connection} dbname={restored}"],
            stdin=dumper.stdout, check=True, env=env,
        )  # fmt: skip
        assert dumper.wait() == 0
        usable(dsn, restored)

    allow_connections(dsn, name, True)  # pg_dump needs to connect to the template
    outcomes["a"] = measure(
        dsn, baseline_runs, dump_restore, lambda run: None, lambda run: drop(dsn, f"restore_{run}")
    )
    allow_connections(dsn, name, False)
    report(name, "a", outcomes["a"])

    def create(strategy: clones.Strategy, use_pool: bool, tag: str = "") -> Callable[[int], None]:
        def act(run: int) -> None:
            result = clones.create(
                parsed, 9000 + run, template=name, strategy=strategy, store=store,
                target=target, use_pool=use_pool,
            )  # fmt: skip
            assert result.method == ("pool" if use_pool else "clone"), result
            usable(dsn, result.database)
            if result.strategy:
                chosen.setdefault((name, strategy.value + tag), []).append(result.strategy)

        return act

    def release(run: int) -> None:
        clones.drop(parsed, 9000 + run, store=store)

    def no_pool(run: int) -> None:
        clones.fill_pool(parsed, template=name, size=0, strategy=clones.Strategy.WAL_LOG)

    def one_warm(run: int) -> None:
        clones.fill_pool(parsed, template=name, size=1, strategy=clones.Strategy.AUTO)

    for key, strategy in (
        ("b", clones.Strategy.WAL_LOG),
        ("c", clones.Strategy.FILE_COPY),
        ("e", clones.Strategy.AUTO),
    ):
        outcomes[key] = measure(dsn, runs, create(strategy, False), no_pool, release)
        report(name, key, outcomes[key])
    outcomes["d"] = measure(dsn, runs, create(clones.Strategy.AUTO, True), one_warm, release)
    report(name, "d", outcomes["d"])
    claim = create(clones.Strategy.AUTO, True)

    def claim_without_wait(run: int) -> None:
        with mock.patch("wildside.databases.sql.wait_until_closed", lambda *args: None):
            claim(run)

    outcomes["i"] = measure(dsn, runs, claim_without_wait, one_warm, release)
    report(name, "i", outcomes["i"])
    if megabytes * 1_000_000 >= clones.WAL_LOG_BELOW_BYTES:
        # FILE_COPY first checkpoints whatever the server wrote since the last one: give it
        # a backlog a busy cluster builds up between checkpoints, written just before.
        def with_backlog(run: int) -> None:
            no_pool(run)
            backlog[name] = write_backlog(dsn)

        def without_backlog(run: int) -> None:
            release(run)
            drop_backlog(dsn)

        for key, strategy in (
            ("f", clones.Strategy.WAL_LOG),
            ("g", clones.Strategy.FILE_COPY),
            ("h", clones.Strategy.AUTO),
        ):
            outcomes[key] = measure(
                dsn, runs, create(strategy, False, "+backlog"), with_backlog, without_backlog
            )
            report(name, key, outcomes[key])
    no_pool(0)
    return outcomes


BACKLOG_MB = 200  # spread over the live previews
backlog: dict[str, float] = {}  # template -> MB pending at the last backlogged run


def write_backlog(dsn: str) -> float:
    rows = BACKLOG_MB * 1_000_000 // ROW_BYTES // LIVE_PREVIEWS
    for index in range(LIVE_PREVIEWS):
        with psycopg.connect(dsn.rsplit("/", 1)[0] + f"/live_{index}", autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE backlog AS SELECT g AS id, md5(g::text) AS digest, "
                "repeat('x', 180) AS pad FROM generate_series(1, %s) g",
                (rows,),
            )
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn)::float8 "
            "FROM pg_control_checkpoint()"
        ).fetchone()
    return float(row[0]) / 1_000_000 if row else 0.0


def drop_backlog(dsn: str) -> None:
    for index in range(LIVE_PREVIEWS):
        with psycopg.connect(dsn.rsplit("/", 1)[0] + f"/live_{index}", autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS backlog")


chosen: dict[tuple[str, str], list[str]] = {}  # (template, asked) -> strategies used


def report(name: str, key: str, outcome: Outcome) -> None:
    median = statistics.median(outcome.seconds)
    print(f"  {name} ({key}) median {median:.3f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
