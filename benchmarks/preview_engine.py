"""Preview engine benchmark: warm path, cold path and contention, each beside
a baseline measured in the same run against local bare remotes.

    .venv/bin/python benchmarks/preview_engine.py [--quick]

    .venv/bin/python benchmarks/preview_engine.py --only warm,start

Targets (issue 13): warm `up` ≤ 1.0x the plain-git porcelain floor at 10 and at
1,000 live previews, and the 1,000-preview median ≤ 1.3x the 10-preview one;
a new `wildside preview up` process with a warm cache ≤ 250 ms (its import
time is printed from `python -X importtime`); a 5,000-commit history costs
≤ 1.3x a 10-commit one on the cold path; 50 concurrent writers: 0 lost, wall
≤ 1.5x the serial run. Samples of the measured path and of its floor are
interleaved, so load from other processes hits both alike."""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from wildside.gitops.location import RepoLocation
from wildside.previews import repository as apps
from wildside.previews import service
from wildside.previews.config import AppsConfig
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


# The same change by hand: a new preview directory and one more index entry,
# committed with porcelain in a persistent clone.
FLOOR_SCRIPT = """set -e
git fetch -q --depth 1 origin main
git reset -q --hard FETCH_HEAD
mkdir -p overlays/ephemeral/floor-$1
echo "floor: $1" > overlays/ephemeral/floor-$1/kustomization.yaml
echo "# floor-$1" >> overlays/ephemeral/kustomization.yaml
git add -A
git commit -qm floor
git push -q origin HEAD:refs/heads/main
"""


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # every reaped descendant
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Samples(list[float]):
    """Wall times, with the CPU time (this process and every git process it
    waited for, remote side included) of each call beside them: CPU time
    hardly moves when other jobs load the machine, wall time does."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []


def time_call(samples: Samples, call: Callable[..., object], *args: object) -> None:
    cpu = _cpu()
    start = time.perf_counter()
    call(*args)
    samples.append(time.perf_counter() - start)
    samples.cpu.append(_cpu() - cpu)


def floor_runner(root: Path, remote: Path, name: str) -> Callable[[int], object]:
    clone = root / f"floor-{name}"
    git("clone", "-q", "--depth", "1", remote.as_uri(), str(clone))
    script = root / "floor.sh"
    script.write_text(FLOOR_SCRIPT)
    return lambda n: subprocess.run(
        ["bash", str(script), str(n)], cwd=clone, env=GIT_ENV, check=True
    )


def warm_path(root: Path, previews: int, runs: int) -> dict[str, Samples]:
    remote = make_remote(root, previews, 10)
    location = RepoLocation(url=remote.as_uri(), branch="main")
    os.environ["WILDSIDE_CACHE_DIR"] = str(root / f"cache-warm-{previews}")
    service.up(location, PreviewRequest(pr=90000, sha="abcdef0"), NOW)  # warm the cache
    floor = floor_runner(root, remote, f"warm-{previews}")
    floor(-1)
    base = 100000
    samples = {"up": Samples(), "down": Samples(), "floor": Samples()}
    for n in range(runs):
        request = PreviewRequest(pr=base + n, sha="abcdef0")
        time_call(samples["up"], service.up, location, request, NOW)
        time_call(samples["floor"], floor, n)
    for n in range(runs):
        time_call(samples["down"], service.down, location, base + n)
    return samples


def process_start(root: Path, runs: int) -> dict[str, Samples]:
    """A new `wildside preview up` process with a warm cache, beside the
    interpreter's own start and the warm path of the same write in-process."""
    remote = make_remote(root, 1000, 10)
    cache = root / "cache-start"
    env = {**os.environ, "WILDSIDE_CACHE_DIR": str(cache)}
    location = RepoLocation(url=remote.as_uri(), branch="main")

    def cli(pr: int) -> None:
        subprocess.run(
            [WILDSIDE, "preview", "up", "--pr", str(pr), "--sha", "abcdef0", "--repo", str(remote)],
            env=env,
            check=True,
            capture_output=True,
        )

    cli(300000)  # warm the cache
    os.environ["WILDSIDE_CACHE_DIR"] = str(cache)
    samples = {"process": Samples(), "in-process": Samples(), "python": Samples()}
    for n in range(runs):
        time_call(samples["process"], cli, 300001 + n)
        request = PreviewRequest(pr=310000 + n, sha="abcdef0")
        time_call(samples["in-process"], service.up, location, request, NOW)
        time_call(samples["python"], subprocess.run, [sys.executable, "-c", "pass"])
    return samples


HEAVY_IMPORTS = ("typer", "pydantic", "yaml", "wildside.previews.config", "wildside.gitops.writer")


def import_times() -> tuple[float, list[tuple[str, float]]]:
    """Import time of what `wildside preview up` loads, from -X importtime:
    the total and the cumulative time of the heaviest packages (ms)."""
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            "import wildside.cli.main as m; m.command(['preview', 'up'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    total = 0.0
    heavy: dict[str, float] = {}
    for line in done.stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if len(fields) != 3 or not fields[1].strip().isdigit():
            continue
        name, cumulative = fields[2], int(fields[1]) / 1000
        if len(name) - len(name.lstrip()) == 1:  # a top-level import, not one it made
            total += cumulative
        if name.strip() in HEAVY_IMPORTS:
            heavy[name.strip()] = cumulative
    return total, [(name, heavy.get(name, 0.0)) for name in HEAVY_IMPORTS]


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


def report(name: str, samples: Samples, floor: Samples | None) -> None:
    wall, cpu = statistics.median(samples), statistics.median(samples.cpu)
    ratio = ""
    if floor is not None:
        ratio = (
            f"  {wall / statistics.median(floor):4.2f}x floor "
            f"(CPU {cpu / statistics.median(floor.cpu):4.2f}x)"
        )
    print(f"  {name:<28} {ms(wall)}  p95 {ms(percentile(samples, 0.95))}  CPU {ms(cpu)}{ratio}")


SECTIONS = ("warm", "start", "cold", "contention")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    args = parser.parse_args()
    only = set(args.only.split(","))
    runs = 5 if args.quick else 20
    cold_runs = 3 if args.quick else 7
    writers = 10 if args.quick else 50
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{git('--version').strip()}, load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory(prefix="wildside-bench-") as tmp:
        root = Path(tmp)
        if "warm" in only:
            print("\n== warm path (persistent cache, in-process), median / p95")
            medians = {}
            for previews in (10, 1000):
                result = warm_path(root, previews, runs)
                print(f"{previews} live previews")
                report("preview up", result["up"], result["floor"])
                report("preview down", result["down"], result["floor"])
                report("floor (plain git porcelain)", result["floor"], None)
                medians[previews] = [
                    statistics.median(values)
                    for values in (result["up"], result["up"].cpu, result["floor"])
                ]
            up, up_cpu, floor = (medians[1000][i] / medians[10][i] for i in range(3))
            print(
                f"1000 / 10 previews, median up: {up:4.2f}x wall, {up_cpu:4.2f}x CPU "
                f"(target ≤ 1.3x); floor: {floor:4.2f}x wall"
            )
        if "start" in only:
            print("\n== a new `wildside preview up` process, warm cache, 1,000 previews")
            result = process_start(root, runs)
            report("whole process", result["process"], None)
            report("the same write in-process", result["in-process"], None)
            report("python -c pass", result["python"], None)
            total, heaviest = import_times()
            listed = ", ".join(f"{name} {value:.0f}" for name, value in heaviest)
            print(f"  imports (python -X importtime): {total:.0f} ms; heaviest: {listed}")
        if "cold" in only:
            print("\n== cold path (new cache, whole CLI process), median")
            short = make_remote(root, 1000, 10)
            long = make_remote(root, 1000, 5000)
            short_median = statistics.median(cold_path(root, short, cold_runs))
            long_median = statistics.median(cold_path(root, long, cold_runs))
            print(f"1000 previews,    10 commits: {ms(short_median)}")
            print(
                f"1000 previews, 5,000 commits: {ms(long_median)}  "
                f"{long_median / short_median:4.2f}x (target ≤ 1.3x)"
            )
        if "contention" in only:
            print(f"\n== contention ({writers} concurrent `preview up`, separate processes)")
            serial, wall, retries, lost = contention(root, writers)
            print(
                f"serial: {serial:6.2f} s   concurrent: {wall:6.2f} s   "
                f"{wall / serial:4.2f}x (target ≤ 1.5x)"
            )
            print(f"lost updates: {lost} (target 0)   total retries: {retries}")


if __name__ == "__main__":
    main()
