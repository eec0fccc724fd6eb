"""SIGKILL `preview up` at the instants where a cache could disagree with
itself or with the remote (the sparse-checkout state file of issue 13 was one:
written after the checkout changed, so a kill between the two made the next
run report `"changed": false` with nothing pushed). The random kills of
test_crash_safety land anywhere; these land exactly on each seam, so every
seam is proven on every run of the test command.

Each kill runs the real CLI in a child Python that kills itself at the named
point; the same command run afterwards must succeed and leave the remote
holding the change, and a second re-run must change nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from support.tools import require_tool

# The child: wrap one function so that the process kills itself right before
# or right after it runs, then run the CLI as the console script does.
CHILD = """
import os, signal, sys
from pathlib import Path
from wildside.cli.main import main
from wildside.gitops import checkout, objects, worktree, writer

point, argv = sys.argv[1], sys.argv[2:]

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def wrap(owner, name, when):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        if when == "before":
            die()
        result = original(*args, **kwargs)
        die()
    setattr(owner, name, wrapper)

if point == "scratch tree half written":
    written = Path.write_bytes
    calls = []
    def write_bytes(self, data):
        calls.append(self)
        if len(calls) == 2:
            die()
        return written(self, data)
    Path.write_bytes = write_bytes
elif point == "change applied, not read back":
    wrap(worktree.Snapshot, "changes", "before")
elif point == "change read back, no commit built":
    wrap(worktree.Snapshot, "changes", "after")
elif point == "commit built, not pushed":
    wrap(objects.ObjectStore, "write_commit", "after")
elif point == "pushed, tracking ref not moved":
    wrap(checkout, "record_push", "before")
elif point == "pushed, not read back":
    wrap(writer._Session, "verify", "before")
elif point == "half-written scratch manifest":
    def record(directory, state):
        directory.with_name(directory.name + ".manifest." + str(os.getpid())).write_text("{")
        die()
    worktree.record = record
elif point == "half-written metadata":
    def replace(repo, target, text):
        (repo / ("tmp_wildside_" + str(os.getpid()))).write_text(text[:1])
        die()
    checkout._replace = replace
else:
    raise SystemExit("unknown kill point " + point)
sys.exit(main(argv))
"""

POINTS = [
    "scratch tree half written",
    "change applied, not read back",
    "change read back, no commit built",
    "commit built, not pushed",
    "pushed, tracking ref not moved",
    "pushed, not read back",
    "half-written scratch manifest",
    "half-written metadata",
]


def up_args(remote: Path, pr: int, sha: str) -> list[str]:
    return ["preview", "up", "--pr", str(pr), "--sha", sha, "--repo", str(remote), "--json"]


def remote_show(remote: Path, spec: str) -> str | None:
    shown = subprocess.run(
        ["git", "--git-dir", str(remote), "show", spec], capture_output=True, text=True, check=False
    )
    return shown.stdout if shown.returncode == 0 else None


@pytest.mark.parametrize("point", POINTS)
def test_a_kill_at_each_seam_is_repaired_by_the_next_run(
    point: str, cli: Any, bare_repo: Path, isolated_cache: Path
) -> None:
    require_tool("wildside")
    assert cli("apps", "init", "--repo", str(bare_repo), "--quiet").returncode == 0
    first = cli(*up_args(bare_repo, 1, "abcdef0"), "--quiet")
    assert first.returncode == 0, first.stderr
    (slot,) = [path for path in isolated_cache.glob("checkouts/*/slot-*") if path.is_dir()]
    if point == "scratch tree half written":
        (slot / "tree.manifest").unlink()  # the whole region is written out again
    if point == "half-written metadata":
        # the default branch is remembered only when it was asked of the remote
        (slot / "repo" / "wildside-default-branch").unlink()

    killed = subprocess.run(
        [sys.executable, "-c", CHILD, point, *up_args(bare_repo, 2, "abcdef0")],
        env={**os.environ, "WILDSIDE_CACHE_DIR": str(isolated_cache)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, f"{point} was never reached: {killed.stderr}"
    pushed = point.startswith("pushed")
    on_remote = remote_show(bare_repo, "main:overlays/ephemeral/pr-2/kustomization.yaml")
    assert (on_remote is not None) == pushed

    again = cli(*up_args(bare_repo, 2, "abcdef0"))
    assert again.returncode == 0, again.stderr
    # a run killed before its push cannot have written; one killed after it did
    assert again.json()["changed"] is not pushed
    assert remote_show(bare_repo, "main:overlays/ephemeral/pr-2/kustomization.yaml") is not None
    index = remote_show(bare_repo, "main:overlays/ephemeral/kustomization.yaml") or ""
    assert [line for line in index.splitlines() if "flux-kustomization" in line] == [
        "- pr-1/flux-kustomization.yaml",
        "- pr-2/flux-kustomization.yaml",
    ]
    litter = [
        path.relative_to(slot).as_posix()
        for path in slot.rglob("*")
        if path.name.endswith(".lock") or path.name.startswith("tmp_") or ".manifest." in path.name
    ]
    assert litter == []

    settled = cli(*up_args(bare_repo, 2, "abcdef0"))
    assert settled.returncode == 0, settled.stderr
    assert settled.json()["changed"] is False
    # and the next preview still lands on the same branch, nothing else appears
    third = cli(*up_args(bare_repo, 3, "abcdef0"))
    assert third.returncode == 0, third.stderr
    assert json.loads(third.stdout)["branch"] == "main"
    heads = subprocess.run(
        ["git", "--git-dir", str(bare_repo), "for-each-ref", "--format=%(refname)", "refs/heads"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert heads == ["refs/heads/main"]
