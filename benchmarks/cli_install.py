"""How long the composite actions take to install the CLI (issue 15), beside
the baseline measured in the same run: the install the action did before,
`pip install <checkout>` (resolve every transitive dependency, unpinned and
unhashed, with build isolation). Measured:

  baseline      pip install <checkout> into a fresh venv, empty pip cache
  locked cold   install.sh (pip --require-hashes from requirements/cli.txt,
                then --no-deps --no-build-isolation), empty pip cache
  locked warm   install.sh with only pip's download cache restored
  venv hit      install.sh over the virtualenv the action restores from
                actions/cache for the same lock, source and Python (the
                cache's own download is not counted: it happens on GitHub)
  source moved  the same, restored for the same lock but older source: only
                the CLI is reinstalled

Needs the package index (as a runner does). Each variant runs `--rounds`
times, alternating, so a slow network minute hits all of them alike.

    .venv/bin/python benchmarks/cli_install.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTALL = ROOT / ".github" / "actions" / "wildside-app" / "install.sh"


def size_mb(path: Path) -> float:
    total = sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())
    return total / 1e6


def clean_env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    env["PIP_CACHE_DIR"] = str(cache)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def baseline(work: Path) -> tuple[float, float]:
    venv, cache = work / "venv", work / "cache"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--no-cache-dir", str(ROOT)],
        check=True,
        env=clean_env(cache),
    )
    return time.perf_counter() - started, size_mb(venv)


def locked(work: Path, cache: Path) -> tuple[float, float]:
    runner = work / "runner"
    runner.mkdir()
    env = clean_env(cache) | {"RUNNER_TEMP": str(runner), "WILDSIDE_PIP_CACHE": str(cache)}
    started = time.perf_counter()
    subprocess.run(["bash", str(INSTALL)], check=True, env=env)
    return time.perf_counter() - started, size_mb(runner / "wildside-venv")


def restored(work: Path, cache: Path, *, stale_source: bool) -> tuple[float, float]:
    locked(work, cache)
    venv = work / "runner" / "wildside-venv"
    if stale_source:
        (venv / ".wildside-source").write_text("an older commit\n")
    env = clean_env(cache) | {"RUNNER_TEMP": str(work / "runner"), "WILDSIDE_PIP_CACHE": str(cache)}
    started = time.perf_counter()
    subprocess.run(["bash", str(INSTALL)], check=True, env=env)
    return time.perf_counter() - started, size_mb(venv)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    results: dict[str, list[tuple[float, float]]] = {
        "baseline": [],
        "cold": [],
        "warm": [],
        "hit": [],
        "moved": [],
    }
    with tempfile.TemporaryDirectory() as scratch:
        warm_cache = Path(scratch) / "warm-cache"
        locked(Path(tempfile.mkdtemp(dir=scratch)), warm_cache)  # fill the cache once
        for _ in range(rounds):
            results["baseline"].append(baseline(Path(tempfile.mkdtemp(dir=scratch))))
            cold = Path(tempfile.mkdtemp(dir=scratch))
            results["cold"].append(locked(cold, cold / "cache"))
            results["warm"].append(locked(Path(tempfile.mkdtemp(dir=scratch)), warm_cache))
            hit = Path(tempfile.mkdtemp(dir=scratch))
            results["hit"].append(restored(hit, warm_cache, stale_source=False))
            moved = Path(tempfile.mkdtemp(dir=scratch))
            results["moved"].append(restored(moved, warm_cache, stale_source=True))
            for leftover in Path(scratch).iterdir():
                if leftover != warm_cache:
                    shutil.rmtree(leftover, ignore_errors=True)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"rounds: {rounds} (median)")
    base = statistics.median(t for t, _ in results["baseline"])
    for name, label in (
        ("baseline", "pip install <checkout> (before)"),
        ("cold", "install.sh, hashed lock, empty cache"),
        ("warm", "install.sh, hashed lock, pip cache restored"),
        ("hit", "install.sh, venv restored (cache hit)"),
        ("moved", "install.sh, venv restored, source changed"),
    ):
        seconds = statistics.median(t for t, _ in results[name])
        megabytes = statistics.median(m for _, m in results[name])
        print(f"{label:42s} {seconds:6.1f} s  {seconds / base:4.2f}x  venv {megabytes:5.0f} MB")


if __name__ == "__main__":
    main()
