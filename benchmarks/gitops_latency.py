"""Commit → preview Ready on the live harness cluster (real Kubernetes, real
Flux, kwok nodes), the GitOps part of the PR → URL budget (p50 ≤ 60 s,
p95 ≤ 120 s after the image push):

  * N previews created at once by N concurrent `wildside preview up`
    processes (as N CI jobs would), N = 1, 10, 50; each one's latency runs
    from the moment its push returned to the moment its Flux Kustomization is
    Ready (namespace, quota, HelmRelease installed, pods Ready);
  * with the Receiver webhook (each job posts GitHub's signed push event
    right after its push) and, as the baseline, with polling only (the
    GitRepository's interval; production renders 5m, this run uses --interval);
  * `preview down` → namespace gone, beside the floor of deleting the same
    kind of namespace directly with the API (no Git, no Flux).

Figures are p50/p95 over the previews of a round. No container images are
pulled (kwok), so the time an image pull and an application start take on a
real node comes on top.

Run: .venv/bin/python benchmarks/gitops_latency.py [--sizes 1,10,50] [--interval 1m]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
os.environ["PATH"] = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
# 50 writers on one 2-core machine can exhaust the default 30 push attempts
# (CI jobs run on separate machines); the measurement is Flux's, not Git's.
os.environ.setdefault("WILDSIDE_PUSH_ATTEMPTS", "300")

from support.cluster import FLUX_NAMESPACE, Cluster, start, stop, wait_until
from support.gitops_env import AppsEnvironment, start_apps_environment

KUSTOMIZATIONS = f"/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/{FLUX_NAMESPACE}/kustomizations"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"p50 {statistics.median(values):6.1f} s   p95 {percentile(values, 0.95):6.1f} s"


class Watcher:
    """Polls the API every 0.25 s and records when each condition first holds."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.ready: dict[str, float] = {}
        self.namespaces: set[str] = set()
        self.gone: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            try:
                for k in self.cluster.items(KUSTOMIZATIONS):
                    name = k["metadata"]["name"]
                    ready = self.cluster.condition(k)
                    if name not in self.ready and ready and ready["status"] == "True":
                        self.ready[name] = now
                present = {n["metadata"]["name"] for n in self.cluster.items("/api/v1/namespaces")}
            except Exception:  # keep polling through a transient API error
                time.sleep(0.25)
                continue
            for namespace in list(self.namespaces):
                if namespace not in present and namespace not in self.gone:
                    self.gone[namespace] = now
            self.namespaces |= {n for n in present if n.startswith("wildside-pr-")}
            time.sleep(0.25)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def concurrently(prs: list[int], job: Callable[[int], float]) -> dict[int, float]:
    with ThreadPoolExecutor(max_workers=len(prs)) as pool:
        return dict(zip(prs, pool.map(job, prs), strict=True))


def round_up(apps: AppsEnvironment, watcher: Watcher, prs: list[int], webhook: bool) -> list[float]:
    sha = os.urandom(20).hex()

    def job(pr: int) -> float:
        apps.preview("up", "--pr", str(pr), "--sha", sha)
        pushed = time.monotonic()
        if webhook:
            apps.push_webhook()
        return pushed

    pushed = concurrently(prs, job)
    wait_until(
        lambda: all(f"wildside-pr-{pr}" in watcher.ready for pr in prs),
        timeout=900,
        what=f"{len(prs)} previews to be Ready",
        interval=1,
    )
    return [watcher.ready[f"wildside-pr-{pr}"] - pushed[pr] for pr in prs]


def round_down(apps: AppsEnvironment, watcher: Watcher, prs: list[int]) -> list[float]:
    def job(pr: int) -> float:
        apps.preview("down", "--pr", str(pr))
        pushed = time.monotonic()
        apps.push_webhook()
        return pushed

    pushed = concurrently(prs, job)
    wait_until(
        lambda: all(f"wildside-pr-{pr}" in watcher.gone for pr in prs),
        timeout=900,
        what=f"{len(prs)} namespaces to be gone",
        interval=1,
    )
    return [watcher.gone[f"wildside-pr-{pr}"] - pushed[pr] for pr in prs]


def floor_delete(cluster: Cluster, watcher: Watcher, count: int) -> list[float]:
    """Namespaces with a Deployment's worth of pods, deleted straight through the API."""
    names = [f"wildside-pr-{9000 + i}" for i in range(count)]
    for name in names:
        cluster.kubectl("create", "namespace", name)
        cluster.kubectl(
            "-n", name, "create", "deployment", "app", "--image=example.test/app:1", "--replicas=2"
        )
    wait_until(
        lambda: all(
            (cluster.get(f"/apis/apps/v1/namespaces/{n}/deployments/app") or {})
            .get("status", {})
            .get("readyReplicas")
            == 2
            for n in names
        ),
        timeout=300,
        what="the floor's deployments",
    )
    started: dict[str, float] = {}
    for name in names:
        started[name] = time.monotonic()
        cluster.kubectl("delete", "namespace", name, "--wait=false")
    wait_until(lambda: all(n in watcher.gone for n in names), timeout=300, what="floor namespaces")
    return [watcher.gone[n] - started[n] for n in names]


def set_interval(cluster: Cluster, apps: AppsEnvironment, interval: str) -> None:
    cluster.kubectl(
        "-n", FLUX_NAMESPACE, "patch", "gitrepository", "wildside-apps", "--type=merge",
        "-p", f'{{"spec": {{"interval": "{interval}"}}}}',
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,50")
    parser.add_argument("--polling-sizes", default="1,10,50")
    parser.add_argument("--interval", default="1m", help="GitRepository interval when polling")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    polling_sizes = [int(s) for s in args.polling_sizes.split(",") if s]

    work = Path(tempfile.mkdtemp(prefix="wildside-gitops-bench-"))
    state = work / "cluster"
    started = time.monotonic()
    cluster = start(state)
    print(f"cluster up in {time.monotonic() - started:.1f} s", flush=True)
    rows: list[tuple[str, str]] = []
    try:
        apps = start_apps_environment(cluster, work / "apps", interval="1h")
        watcher = Watcher(cluster)
        next_pr = 1000
        for size in sizes:
            prs = list(range(next_pr, next_pr + size))
            next_pr += size
            up = round_up(apps, watcher, prs, webhook=True)
            rows.append((f"commit → Ready, webhook, {size} concurrent", summary(up)))
            down = round_down(apps, watcher, prs)
            rows.append((f"`preview down` → namespace gone, {size} concurrent", summary(down)))
            print("\n".join(f"{a}: {b}" for a, b in rows[-2:]), flush=True)
        set_interval(cluster, apps, args.interval)
        for size in polling_sizes:
            prs = list(range(next_pr, next_pr + size))
            next_pr += size
            up = round_up(apps, watcher, prs, webhook=False)
            rows.append(
                (f"commit → Ready, polling every {args.interval}, {size} concurrent", summary(up))
            )
            print(rows[-1][0] + ": " + rows[-1][1], flush=True)
            round_down(apps, watcher, prs)
        for size in sorted({1, max(sizes)}):
            floor = floor_delete(cluster, watcher, size)
            rows.append((f"floor: namespace deleted via the API, {size} at once", summary(floor)))
        watcher.close()
    finally:
        cluster.close()
        stop(state)
        subprocess.run(["rm", "-rf", str(work)], check=False)

    print()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print("| measurement | latency |")
    print("| --- | --- |")
    for name, figures in rows:
        print(f"| {name} | {figures} |")


if __name__ == "__main__":
    main()
