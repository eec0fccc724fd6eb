"""The pure side of one `preview up` (issue 12): resolve the persisted
options, render the values template and every overlay file, and read the
record back, beside a baseline measured in the same run: only YAML-dumping
and YAML-loading the same documents (the serialisation no renderer avoids).

    .venv/bin/python benchmarks/preview_render.py [--rounds N]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import yaml

from wildside.contract.identity import PreviewIdentity
from wildside.core.yaml_io import dump, load_documents
from wildside.databases import declarative
from wildside.previews import admission, records, render
from wildside.previews.config import AppsConfig
from wildside.previews.model import PreviewRequest
from wildside.vault import preview_overlay

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def median_ms(work: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    rounds = parser.parse_args().rounds
    config = AppsConfig(preview_domain="previews.example.com")
    identity = PreviewIdentity(config.app, 42)
    extras = [preview_overlay.overlay(identity), declarative.overlay(identity)]
    first = render.render(
        config,
        PreviewRequest(pr=42, sha="a" * 40, database=True, secrets=True, ttl=timedelta(days=3)),
        None,
        {},
        NOW,
        extras,
    )
    request = PreviewRequest(pr=42, sha="b" * 40)
    later = NOW + timedelta(hours=1)
    documents = [load_documents(text) for text in first.files.values()]
    record_document = yaml.safe_load(first.files[records.RECORD_FILE])

    def up() -> object:
        refused = admission.refusal(request, first.record, None, None)
        assert refused is None
        return render.render(config, request, first.record, first.files, later, extras)

    def dump_only() -> object:
        return [dump(doc) for doc in documents]

    def read_back() -> object:
        return records.parse_options(record_document), records.parse_history(record_document)

    def load_only() -> object:
        return [load_documents(text) for text in first.files.values()]

    rendered = median_ms(up, rounds)
    dumped = median_ms(dump_only, rounds)
    parsed = median_ms(load_only, rounds)
    options = median_ms(read_back, rounds)
    print(f"machine: {platform.machine()}, {platform.python_version()}; {rounds} rounds, medians")
    print(f"{len(first.files)} overlay files of a preview with database and secrets")
    print(f"render one up (options, values template, files; two passes)  {rendered:7.3f} ms")
    print(f"baseline: YAML-dump the same documents once                    {dumped:7.3f} ms")
    print(f"  ratio {rendered / dumped:.2f}x (two passes: timestamps move only if content does)")
    print(f"read the record's options and history                          {options:7.3f} ms")
    print(f"baseline: YAML-load the overlay files                          {parsed:7.3f} ms")


if __name__ == "__main__":
    main()
