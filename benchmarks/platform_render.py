"""Rendering the three example clusters completely (configs loaded, every
component rendered, written into a directory), beside a baseline that only
YAML-dumps the same objects. Target: well under 1 s.

Run: .venv/bin/python benchmarks/platform_render.py"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from wildside.core.yaml_io import dump_documents
from wildside.platform import render, service

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "clusters"
ROUNDS = 15


def _median(function: object) -> float:
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        function()  # type: ignore[operator]
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    clusters = service.load_clusters(EXAMPLES, [], every=True, tofu_files=[])
    objects = [
        documents
        for cluster in clusters
        for component, settings in render.enabled_components(cluster)
        for unit in component.units(cluster, settings)
        for documents in unit.files.values()
    ]
    with tempfile.TemporaryDirectory() as scratch:
        counter = iter(range(10_000))

        def full() -> None:
            loaded = service.load_clusters(EXAMPLES, [], every=True, tofu_files=[])
            service.write_directory(Path(scratch) / str(next(counter)), service.render_all(loaded))

        def rerender() -> None:
            loaded = service.load_clusters(EXAMPLES, [], every=True, tofu_files=[])
            service.write_directory(Path(scratch) / "same", service.render_all(loaded))

        full_time = _median(full)
        rerender_time = _median(rerender)
        render_only = _median(lambda: service.render_all(clusters))
        baseline = _median(lambda: [dump_documents(docs) for docs in objects])
    print(
        f"platform render, 3 clusters, fresh directory : {full_time * 1000:7.1f} ms (median of {ROUNDS})"
    )
    print(f"platform render, 3 clusters, unchanged re-run: {rerender_time * 1000:7.1f} ms")
    print(f"render only (pure, no I/O)                   : {render_only * 1000:7.1f} ms")
    print(f"baseline: YAML-dump the same unit objects    : {baseline * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
