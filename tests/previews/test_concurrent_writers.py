"""Many CI jobs writing the same apps repository at once: separate processes,
one bare remote; nothing lost, nothing duplicated, the index stays valid."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

from conftest import commit_count
from support import kustomize
from support.tools import require_tool

WRITERS = 16
DUPLICATES = 4


def start_up(
    executable: str, remote: Path, pr: int, sha: str, cache: Path
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            executable,
            "preview",
            "up",
            "--pr",
            str(pr),
            "--sha",
            sha,
            "--repo",
            str(remote),
            "--json",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a separate cache per job, as on separate CI runners
        env={**os.environ, "WILDSIDE_CACHE_DIR": str(cache)},
    )


def test_concurrent_up_loses_and_duplicates_nothing(
    cli: Any, bare_repo: Path, tmp_path: Path, clone_remote: Any
) -> None:
    assert cli("apps", "init", "--repo", str(bare_repo)).returncode == 0
    executable = require_tool("wildside")
    processes = [
        start_up(executable, bare_repo, pr, f"{pr:07d}", tmp_path / f"cache-{pr}")
        for pr in range(1, WRITERS + 1)
    ]
    # the same PR and SHA from several jobs at once (a re-run racing the original)
    processes += [
        start_up(executable, bare_repo, 500, "abcdef0", tmp_path / f"cache-dup-{n}")
        for n in range(DUPLICATES)
    ]
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=240)
        assert process.returncode == 0, stderr
        results.append(json.loads(stdout))

    assert sum(1 for r in results if r["pr"] == 500 and r["changed"]) == 1
    assert commit_count(bare_repo) == 1 + WRITERS + 1

    tree = clone_remote(bare_repo)
    index = yaml.safe_load((tree / "overlays/ephemeral/kustomization.yaml").read_text())
    expected = [f"pr-{pr}/flux-kustomization.yaml" for pr in [*range(1, WRITERS + 1), 500]]
    assert index["resources"] == expected
    built = kustomize.build(tree / "overlays/ephemeral")
    assert len(built) == WRITERS + 1


def test_concurrent_up_and_down_of_different_previews(
    cli: Any, bare_repo: Path, tmp_path: Path, clone_remote: Any
) -> None:
    assert cli("apps", "init", "--repo", str(bare_repo)).returncode == 0
    executable = require_tool("wildside")
    for pr in (1, 2, 3, 4):
        assert (
            cli(
                "preview", "up", "--pr", str(pr), "--sha", "abcdef0", "--repo", str(bare_repo)
            ).returncode
            == 0
        )
    downs = [
        subprocess.Popen(
            [executable, "preview", "down", "--pr", str(pr), "--repo", str(bare_repo), "--quiet"],
            env={**os.environ, "WILDSIDE_CACHE_DIR": str(tmp_path / f"down-{pr}")},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for pr in (1, 3)
    ]
    ups = [start_up(executable, bare_repo, pr, "1234567", tmp_path / f"up-{pr}") for pr in (5, 6)]
    for process in downs + ups:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    tree = clone_remote(bare_repo)
    index = yaml.safe_load((tree / "overlays/ephemeral/kustomization.yaml").read_text())
    assert index["resources"] == [f"pr-{pr}/flux-kustomization.yaml" for pr in (2, 4, 5, 6)]


def test_jobs_on_one_machine_use_separate_checkouts(cli: Any, bare_repo: Path) -> None:
    """Parallel jobs sharing one cache (a self-hosted runner) each lock a slot."""
    assert cli("apps", "init", "--repo", str(bare_repo)).returncode == 0
    executable = require_tool("wildside")
    processes = [
        subprocess.Popen(
            [
                executable,
                "preview",
                "up",
                "--pr",
                str(pr),
                "--sha",
                "abcdef0",
                "--repo",
                str(bare_repo),
                "--quiet",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for pr in range(1, 7)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    assert commit_count(bare_repo) == 7
