"""A killed run, a stale lock or a damaged cache never blocks the next run,
and no run reports success unless the remote holds its change."""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.tools import require_tool

SEED = 1313
KILLS = 50


def cache_slots(cache: Path) -> list[Path]:
    return sorted(cache.glob("checkouts/*/slot-*/repo"))


def remote_file(remote: Path, path: str, branch: str = "main") -> str | None:
    shown = subprocess.run(
        ["git", "--git-dir", str(remote), "show", f"{branch}:{path}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return shown.stdout if shown.returncode == 0 else None


def branches(remote: Path) -> list[str]:
    listed = subprocess.run(
        [
            "git",
            "--git-dir",
            str(remote),
            "for-each-ref",
            "--format=%(refname:short)",
            "refs/heads",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return listed.stdout.split()


def up_command(remote: Path, pr: int, sha: str) -> list[str]:
    return [
        require_tool("wildside"),
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
    ]


def assert_deployed(remote: Path, pr: int, sha: str) -> None:
    patch = remote_file(remote, f"overlays/ephemeral/pr-{pr}/patch-helmrelease-values.yaml")
    assert patch is not None and f"tag: {sha}" in patch, f"pr-{pr} at {sha} is not on the remote"
    index = remote_file(remote, "overlays/ephemeral/kustomization.yaml") or ""
    assert f"pr-{pr}/flux-kustomization.yaml" in index


def session_processes(session: int) -> Iterator[tuple[Path, bytes]]:
    """(/proc entry, executable) of every process in `session`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) == session:
                yield entry, (entry / "cmdline").read_bytes().split(b"\0")[0]
        except (OSError, ValueError):
            continue  # gone meanwhile


def wait_for_git(session: int, timeout: float) -> None:
    """Return once the job runs its first git process (or after `timeout`)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if any(command.endswith(b"git") for _, command in session_processes(session)):
            return
        time.sleep(0.002)


def kill_client_side(session: int, remote: Path) -> int:
    """SIGKILL every process of the job's session except the remote's own
    (receive-pack, upload-pack and their helpers, which run in the remote
    repository): on GitHub those run on another machine, beyond a job's kill.
    Returns how many git processes it killed."""
    gits = 0
    for entry, command in session_processes(session):
        try:
            if Path(os.readlink(entry / "cwd")).is_relative_to(remote):
                continue
            os.kill(int(entry.name), signal.SIGKILL)
            gits += command.endswith(b"git")
        except (OSError, ValueError):
            continue  # gone meanwhile
    return gits


@pytest.fixture
def apps(cli: Any, bare_repo: Path) -> Path:
    assert cli("apps", "init", "--repo", str(bare_repo), "--quiet").returncode == 0
    return bare_repo


def test_sigkill_at_random_instants_never_breaks_the_next_run(
    apps: Path, isolated_cache: Path
) -> None:
    """SIGKILL `preview up` at seeded random instants of its run (alone, or
    with its git processes); the run after each kill succeeds and the remote
    then holds exactly its change."""
    rng = random.Random(SEED)
    env = {**os.environ, "WILDSIDE_CACHE_DIR": str(isolated_cache)}

    def run(pr: int, sha: str) -> dict[str, Any]:
        done = subprocess.run(
            up_command(apps, pr, sha), env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"the run after a kill failed: {done.stderr}"
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    def timed(pr: int, sha: str) -> float:
        start = time.perf_counter()
        result = run(pr, sha)
        assert (result["pr"], result["sha"]) == (pr, sha)
        return time.perf_counter() - start

    run(1, "a000000")  # a new cache: slower than the runs the kills aim at
    # Kill instants are drawn over the length of recent warm runs, which
    # follows the machine's load (another suite may share the cores).
    recent = [timed(1, "a000001")]
    killed_before_the_end = killed_with_git = 0
    for kill in range(KILLS):
        pr, sha = kill + 2, f"a{kill + 2:06x}"
        process = subprocess.Popen(
            up_command(apps, pr, sha),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        window = statistics.median(recent[-5:])
        # Every other kill takes the job's git processes with it (a cancelled CI
        # job's process tree) at an instant after its first git process
        # started; the rest kill only the wildside process, at any instant
        # (its git children finish alone).
        if kill % 2:
            started = time.perf_counter()
            wait_for_git(process.pid, timeout=2 * window)
            elapsed = time.perf_counter() - started
            time.sleep(rng.uniform(0, max(0.0, window - elapsed)))
            killed_with_git += kill_client_side(process.pid, apps) > 0
        else:
            time.sleep(rng.uniform(0, window))
            process.send_signal(signal.SIGKILL)
        killed_before_the_end += process.wait() == -signal.SIGKILL
        recent.append(timed(pr, sha))
        assert_deployed(apps, pr, sha)
    assert killed_before_the_end >= KILLS // 2, "most kills must land while the run is alive"
    assert killed_with_git >= KILLS // 4, "most kills of a process tree must hit git"
    index = remote_file(apps, "overlays/ephemeral/kustomization.yaml") or ""
    for pr in range(1, KILLS + 2):
        assert index.count(f"pr-{pr}/flux-kustomization.yaml") == 1
    fsck = subprocess.run(
        ["git", "--git-dir", str(apps), "fsck", "--no-dangling"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert fsck.returncode == 0, fsck.stderr


STALE_LOCKS = [
    "HEAD.lock",
    "config.lock",
    "shallow.lock",
    "packed-refs.lock",
    "FETCH_HEAD.lock",
    "refs/remotes/origin/main.lock",
    "objects/info/commit-graph.lock",
]


@pytest.mark.parametrize("lock", STALE_LOCKS)
def test_a_stale_lock_in_the_cache_is_removed(
    lock: str, apps: Path, cli: Any, isolated_cache: Path
) -> None:
    assert (
        cli("preview", "up", "--pr", "1", "--sha", "abcdef0", "--repo", str(apps)).returncode == 0
    )
    (slot,) = cache_slots(isolated_cache)
    planted = slot / lock
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text("left by a killed git\n")
    result = cli("preview", "up", "--pr", "2", "--sha", "abcdef0", "--repo", str(apps), "--json")
    assert result.returncode == 0, result.stderr
    assert result.json()["changed"] is True
    assert not planted.exists()
    assert_deployed(apps, 2, "abcdef0")


def test_a_lock_held_by_a_live_process_is_not_taken(
    apps: Path, cli: Any, isolated_cache: Path
) -> None:
    """A running job keeps its slot: a second job uses another one."""
    assert (
        cli("preview", "up", "--pr", "1", "--sha", "abcdef0", "--repo", str(apps)).returncode == 0
    )
    (slot,) = cache_slots(isolated_cache)
    lock_file = slot.parent.parent / "slot-0.lock"
    holder = subprocess.Popen(["flock", str(lock_file), "sleep", "30"], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        (slot / "HEAD.lock").write_text("held by the live job\n")
        result = cli("preview", "up", "--pr", "2", "--sha", "abcdef0", "--repo", str(apps))
        assert result.returncode == 0, result.stderr
        assert (slot / "HEAD.lock").exists()  # not ours to remove
    finally:
        holder.kill()
        holder.wait()
    assert len(cache_slots(isolated_cache)) == 2


@pytest.mark.parametrize(
    "damage",
    ["no HEAD", "empty config", "garbage branch file", "unknown branch file", "corrupt pack"],
)
def test_a_damaged_cache_is_repaired_or_rebuilt(
    damage: str, apps: Path, cli: Any, isolated_cache: Path
) -> None:
    assert (
        cli("preview", "up", "--pr", "1", "--sha", "abcdef0", "--repo", str(apps)).returncode == 0
    )
    (slot,) = cache_slots(isolated_cache)
    if damage == "no HEAD":
        (slot / "HEAD").unlink()
    elif damage == "empty config":
        (slot / "config").write_text("")
    elif damage == "garbage branch file":
        (slot / "wildside-default-branch").write_text("")
    elif damage == "unknown branch file":
        (slot / "wildside-default-branch").write_text("gone-away")
    else:
        for pack in (slot / "objects" / "pack").glob("*.pack"):
            pack.chmod(0o644)
            pack.write_bytes(b"PACK" + b"\0" * 64)
    result = cli("preview", "up", "--pr", "2", "--sha", "abcdef0", "--repo", str(apps), "--json")
    assert result.returncode == 0, result.stderr
    assert result.json()["changed"] is True
    assert_deployed(apps, 2, "abcdef0")
    assert branches(apps) == ["main"]


def test_a_renamed_default_branch_is_followed_not_recreated(
    apps: Path, cli: Any, isolated_cache: Path
) -> None:
    assert (
        cli("preview", "up", "--pr", "1", "--sha", "abcdef0", "--repo", str(apps)).returncode == 0
    )
    subprocess.run(["git", "--git-dir", str(apps), "branch", "-m", "main", "trunk"], check=True)
    subprocess.run(
        ["git", "--git-dir", str(apps), "symbolic-ref", "HEAD", "refs/heads/trunk"], check=True
    )
    init = cli("apps", "init", "--repo", str(apps), "--json")
    assert init.returncode == 0, init.stderr
    assert init.json()["changed"] is False
    result = cli("preview", "up", "--pr", "2", "--sha", "abcdef0", "--repo", str(apps), "--json")
    assert result.returncode == 0, result.stderr
    assert result.json()["branch"] == "trunk"
    assert branches(apps) == ["trunk"]
    assert remote_file(apps, "overlays/ephemeral/pr-2/kustomization.yaml", "trunk") is not None


def test_several_branches_and_a_dangling_head_are_refused(
    apps: Path, cli: Any, isolated_cache: Path
) -> None:
    subprocess.run(["git", "--git-dir", str(apps), "branch", "other", "main"], check=True)
    subprocess.run(
        ["git", "--git-dir", str(apps), "symbolic-ref", "HEAD", "refs/heads/gone"], check=True
    )
    result = cli("apps", "init", "--repo", str(apps))
    assert result.returncode == 1
    assert "pass --branch" in result.stderr
    assert sorted(branches(apps)) == ["main", "other"]


def test_no_change_is_reported_only_when_the_remote_holds_it(
    apps: Path, cli: Any, isolated_cache: Path
) -> None:
    """A cache that believes the change is there while the remote lost it
    (history rewritten behind its back) still writes it."""
    first = cli("preview", "up", "--pr", "1", "--sha", "abcdef0", "--repo", str(apps), "--json")
    assert first.returncode == 0, first.stderr
    subprocess.run(
        ["git", "--git-dir", str(apps), "update-ref", "refs/heads/main", "main~1"], check=True
    )
    again = cli("preview", "up", "--pr", "1", "--sha", "abcdef0", "--repo", str(apps), "--json")
    assert again.returncode == 0, again.stderr
    assert again.json()["changed"] is True
    assert_deployed(apps, 1, "abcdef0")


def test_an_object_missing_from_the_cache_is_fetched_again(
    apps: Path, cli: Any, isolated_cache: Path
) -> None:
    """A fetch that brings nothing new never notices that an object the cache
    should hold is gone; reading it must rebuild the slot, not fail forever."""
    assert (
        cli("preview", "up", "--pr", "1", "--sha", "abcdef0", "--repo", str(apps)).returncode == 0
    )
    (slot,) = cache_slots(isolated_cache)
    blob = subprocess.run(
        ["git", "--git-dir", str(apps), "rev-parse", "main:overlays/ephemeral/pr-1/preview.yaml"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    loose = slot / "objects" / blob[:2] / blob[2:]
    assert loose.is_file(), "the blob this write made is a loose object of the cache"
    loose.unlink()
    for attempt in ("first", "second"):
        listed = cli("preview", "list", "--repo", str(apps), "--json")
        assert listed.returncode == 0, f"{attempt} run: {listed.stderr}"
        assert [row["pr"] for row in listed.json()] == [1]
    loose.unlink(missing_ok=True)
    result = cli("preview", "up", "--pr", "1", "--sha", "fedcba9", "--repo", str(apps), "--json")
    assert result.returncode == 0, result.stderr
    assert result.json()["changed"] is True
    assert_deployed(apps, 1, "fedcba9")
