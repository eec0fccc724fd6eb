"""Preview engine benchmark: warm path, cold path and contention, each beside
a baseline measured in the same run against local bare remotes.

    .venv/bin/python benchmarks/preview_engine.py [--quick]

Targets (issue 2): warm up/down ≤ 2x the plain-git floor; the 1,000-preview
median ≤ 1.3x the 10-preview median; a 5,000-commit history costs ≤ 1.3x a
10-commit one on the cold path; 50 concurrent writers: 0 lost, wall ≤ 1.5x
the serial run."""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from wildside.previews import repository as apps
from wildside.previews.config import AppsConfig
from wildside.core.output import SILENT
from wildside.gitops.location import RepoLocation
from wildside.previews import service
from wildside.previews.model import PreviewRequest

NOW = datetime(2026, 11, 26, tzinfo=UTC)
WILDSIDE = str(Path(sys.executable).parent / "wildside")
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


_SERIAL = itertools.count()


def git(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=GIT_ENV, input=stdin, capture_output=True, check=True
    )
    return done.stdout.decode()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def make_remote(root: Path, previews: int, history: int) -> Path:
    """A bare remote holding `previews` live previews on top of `history` commits."""
    name = f"{previews}-{history}-{next(_SERIAL)}"
    remote = root / f"remote-{name}.git"
    git("init", "-q", "--bare", "-b", "main", str(remote))
    work = root / f"seed-{name}"
    git("init", "-q", "-b", "main", str(work))
    if history > 1:
        stream = []
        for n in range(history - 1):
            blob = f"commit {n}\n".encode()
            stream.append(b"commit refs/heads/main\n")
            stream.append(f"committer bench <b@example.com> {1700000000 + n} +0000\n".encode())
            stream.append(b"data 8\nhistory\n")
            stream.append(
                f"M 100644 inline history.txt\ndata {len(blob)}\n".encode() + blob + b"\n"
            )
        git("fast-import", "--quiet", cwd=work, stdin=b"".join(stream))
        git("checkout", "-q", "main", cwd=work)
    config = AppsConfig()
    apps.apply_layout(work, config)
    location = RepoLocation(url="file:///unused", branch="main")
    for pr in range(1, previews + 1):
        service.apply_up(work, location, PreviewRequest(pr=pr, sha=f"{pr:07x}"), NOW)
    git("add", "-A", cwd=work)
    git("commit", "-qm", "seed", cwd=work)
    git("push", "-q", remote.as_uri(), "HEAD:refs/heads/main", cwd=work)
    return remote


FLOOR_SCRIPT = """set -e
git fetch -q --depth 1 origin main
git reset -q --hard FETCH_HEAD
echo "$1" > overlays/floor.txt
git add -A
git commit -qm floor
git push -q origin HEAD:refs/heads/main
"""


def time_calls(call: Callable[[int], object], runs: int) -> list[float]:
    samples = []
    for n in range(runs):
        start = time.perf_counter()
        call(n)
        samples.append(time.perf_counter() - start)
    return samples


def warm_path(root: Path, previews: int, runs: int) -> dict[str, list[float]]:
    remote = make_remote(root, previews, 10)
    location = RepoLocation(url=remote.as_uri(), branch="main")
    os.environ["WILDSIDE_CACHE_DIR"] = str(root / f"cache-warm-{previews}")
    service.up(location, PreviewRequest(pr=90000, sha="abcdef0"), NOW)  # warm the checkout
    base = 100000
    up = time_calls(
        lambda n: service.up(
            location, PreviewRequest(pr=base + n, sha="abcdef0"), NOW, progress=SILENT
        ),
        runs,
    )
    down = time_calls(lambda n: service.down(location, base + n, progress=SILENT), runs)
    floor_clone = root / f"floor-{previews}"
    git("clone", "-q", "--depth", "1", remote.as_uri(), str(floor_clone))
    script = root / "floor.sh"
    script.write_text(FLOOR_SCRIPT)
    floor = time_calls(
        lambda n: subprocess.run(
            ["bash", str(script), str(n)], cwd=floor_clone, env=GIT_ENV, check=True
        ),
        runs,
    )
    return {"up": up, "down": down, "floor": floor}


def cold_path(root: Path, remote: Path, runs: int) -> list[float]:
    samples = []
    for n in range(runs):
        cache = root / f"cold-cache-{remote.name}-{n}"
        start = time.perf_counter()
        subprocess.run(
            [
                WILDSIDE,
                "preview",
                "up",
                "--pr",
                str(200000 + n),
                "--sha",
                "abcdef0",
                "--repo",
                str(remote),
                "--quiet",
            ],
            env={**os.environ, "WILDSIDE_CACHE_DIR": str(cache)},
            check=True,
            capture_output=True,
        )
        samples.append(time.perf_counter() - start)
    return samples


def contention(root: Path, writers: int) -> tuple[float, float, int, int]:
    serial_remote = make_remote(root, 10, 10)
    parallel_remote = make_remote(root, 10, 10)

    def command(remote: Path, pr: int, cache: str) -> list[str]:
        return [
            WILDSIDE,
            "preview",
            "up",
            "--pr",
            str(pr),
            "--sha",
            "abcdef0",
            "--repo",
            str(remote),
            "--json",
            "--quiet",
        ]

    start = time.perf_counter()
    for pr in range(1, writers + 1):
        subprocess.run(
            command(serial_remote, 1000 + pr, ""),
            env={**os.environ, "WILDSIDE_CACHE_DIR": str(root / f"serial-{pr}")},
            check=True,
            capture_output=True,
        )
    serial = time.perf_counter() - start

    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            command(parallel_remote, 1000 + pr, ""),
            env={**os.environ, "WILDSIDE_CACHE_DIR": str(root / f"parallel-{pr}")},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for pr in range(1, writers + 1)
    ]
    retries = 0
    import json

    for process in processes:
        stdout, stderr = process.communicate()
        if process.returncode != 0:
            print("writer failed:", stderr.strip(), file=sys.stderr)
            continue
        retries += json.loads(stdout)["attempts"] - 1
    wall = time.perf_counter() - start
    listing = subprocess.run(
        [WILDSIDE, "preview", "list", "--repo", str(parallel_remote), "--json"],
        env={**os.environ, "WILDSIDE_CACHE_DIR": str(root / "list")},
        capture_output=True,
        text=True,
        check=True,
    )
    landed = sum(1 for row in json.loads(listing.stdout) if row["pr"] > 1000)
    return serial, wall, retries, writers - landed


def ms(value: float) -> str:
    return f"{value * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test)")
    args = parser.parse_args()
    runs = 5 if args.quick else 20
    cold_runs = 3 if args.quick else 7
    writers = 10 if args.quick else 50
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{git('--version').strip()}"
    )
    with tempfile.TemporaryDirectory(prefix="wildside-bench-") as tmp:
        root = Path(tmp)
        print("\n== warm path (persistent checkout, in-process), median / p95")
        medians = {}
        for previews in (10, 1000):
            result = warm_path(root, previews, runs)
            floor = statistics.median(result["floor"])
            for name in ("up", "down", "floor"):
                samples = result[name]
                median = statistics.median(samples)
                ratio = f"{median / floor:4.2f}x floor" if name != "floor" else "(plain git script)"
                print(
                    f"{previews:>5} previews  {name:<5} {ms(median)}  {ms(percentile(samples, 0.95))}  {ratio}"
                )
            medians[previews] = statistics.median(result["up"])
        print(
            f"1000-preview / 10-preview median (up): {medians[1000] / medians[10]:4.2f}x (target ≤ 1.3x)"
        )

        print("\n== cold path (new cache, whole CLI process), median")
        short = make_remote(root, 1000, 10)
        long = make_remote(root, 1000, 5000)
        short_median = statistics.median(cold_path(root, short, cold_runs))
        long_median = statistics.median(cold_path(root, long, cold_runs))
        print(f"1000 previews,    10 commits: {ms(short_median)}")
        print(
            f"1000 previews, 5,000 commits: {ms(long_median)}  {long_median / short_median:4.2f}x (target ≤ 1.3x)"
        )

        print(f"\n== contention ({writers} concurrent `preview up`, separate processes)")
        serial, wall, retries, lost = contention(root, writers)
        print(
            f"serial: {serial:6.2f} s   concurrent: {wall:6.2f} s   {wall / serial:4.2f}x (target ≤ 1.5x)"
        )
        print(f"lost updates: {lost} (target 0)   total retries: {retries}")


if __name__ == "__main__":
    main()
