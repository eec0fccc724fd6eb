"""Persistent, shallow object caches of a remote, one per concurrent user.

A cache lives in a slot under the cache directory; a process takes the first
slot it can lock, so parallel jobs on one machine never share one, and a later
run on the same machine finds it warm. Each slot holds a bare repository
(`repo/`, objects and remote-tracking refs only: no index, no working tree)
and scratch directories (`tree/`, `tree-whole/`) holding the files a change
needs, brought up to date on every attempt (see worktree.py).

The process holding a slot's lock owns it: every git child inherits the lock,
so a killed run keeps the slot locked until its last git process is gone, and
whatever `*.lock` or temporary file is left then is stale and removed. A slot
that does not look like a repository we laid out is wiped and created again."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from wildside.core.errors import OperationalError
from wildside.core.validation import branch as valid_branch
from wildside.gitops import credentials
from wildside.gitops.git import Git, failure_detail
from wildside.gitops.location import DEFAULT_BRANCH, RepoLocation

MAX_SLOTS = 64
REPO_DIR = "repo"
TREE_DIR = "tree"
BRANCH_FILE = "wildside-default-branch"
_READY_MARK = "autodetach = false"  # the last setting init writes: the slot is complete
_MISSING_REF = "couldn't find remote ref"
_TEMPORARY = ("tmp_obj_", "tmp_pack_", "tmp_idx_", "tmp_wildside_")


def cache_root() -> Path:
    configured = os.environ.get("WILDSIDE_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "wildside"


def checkouts_for(location: RepoLocation) -> Path:
    if location.embedded and location.local_bare is not None:
        return location.local_bare.parent / "checkouts" / location.local_bare.stem
    digest = hashlib.sha256(credentials.strip_userinfo(location.url).encode()).hexdigest()[:16]
    return cache_root() / "checkouts" / digest


@dataclass(frozen=True)
class Slot:
    directory: Path
    lock: int  # file descriptor holding the slot's flock

    @property
    def repo(self) -> Path:
        return self.directory / REPO_DIR

    def scratch(self, sparse: list[str] | None) -> Path:
        """Where the files a change needs are written out: whole trees and
        narrow ones apart, so that alternating between them rewrites neither."""
        return self.directory / (TREE_DIR if sparse is not None else f"{TREE_DIR}-whole")


@contextlib.contextmanager
def locked_slot(location: RepoLocation) -> Iterator[Slot]:
    """Yield a slot that no other process uses meanwhile."""
    base = checkouts_for(location)
    base.mkdir(parents=True, exist_ok=True)
    for index in range(MAX_SLOTS):
        descriptor = os.open(base / f"slot-{index}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        try:
            yield Slot(base / f"slot-{index}", descriptor)
        finally:
            os.close(descriptor)
        return
    descriptor = os.open(base / "slot-0.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield Slot(base / "slot-0", descriptor)
    finally:
        os.close(descriptor)


def _is_loose_object_dir(path: Path) -> bool:
    return path.parent.name == "objects" and len(path.name) == 2


def remove_stale_files(repo: Path) -> list[Path]:
    """Lock and temporary files a killed git (or wildside) left; only the
    slot's lock holder may call this. Loose-object folders are not walked:
    what a killed writer leaves there is unnamed and harmless (gc prunes it)."""
    removed: list[Path] = []
    if not repo.is_dir():
        return removed
    for root, directories, files in os.walk(repo):
        here = Path(root)
        directories[:] = [d for d in directories if not _is_loose_object_dir(here / d)]
        for name in files:
            if name.endswith(".lock") or name.startswith(_TEMPORARY):
                (here / name).unlink(missing_ok=True)
                removed.append(here / name)
        for name in [d for d in directories if d.startswith(("incoming-", "tmp_objdir"))]:
            shutil.rmtree(here / name, ignore_errors=True)
            directories.remove(name)
            removed.append(here / name)
    return removed


def _replace(repo: Path, target: Path, text: str) -> None:
    """Write `target` atomically; the temporary file sits where no ref is read."""
    temporary = repo / f"{_TEMPORARY[-1]}{os.getpid()}"
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)


def _looks_complete(repo: Path) -> bool:
    try:
        head = (repo / "HEAD").read_text(encoding="utf-8")
        config = (repo / "config").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return (
        head.startswith("ref: refs/")
        and (repo / "objects").is_dir()
        and (repo / "refs").is_dir()
        and _READY_MARK in config.lower()
        and "[remote" not in config  # an older layout that kept the URL in its config
    )


def _create(git: Git, repo: Path) -> None:
    shutil.rmtree(repo.parent, ignore_errors=True)
    repo.mkdir(parents=True)
    git.run("init", "-q", "--bare")
    git.run("config", "gc.autoDetach", "false")


def prepare(slot: Slot, location: RepoLocation) -> Git:
    """A usable bare repository in the slot: stale locks removed, rebuilt when in doubt."""
    git = Git(slot.repo, url=location.url, hold=(slot.lock,))
    remove_stale_files(slot.repo)
    if not _looks_complete(slot.repo):
        _create(git, slot.repo)
    return git


def rebuild(slot: Slot, git: Git) -> None:
    """Start the slot over (a fetch failed in a way a fresh cache may not)."""
    _create(git, slot.repo)


def _branch_file(git: Git) -> Path:
    assert git.cwd is not None
    return git.cwd / BRANCH_FILE


def cached_branch(git: Git) -> str | None:
    try:
        value = _branch_file(git).read_text(encoding="utf-8").strip()
        return valid_branch(value)
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def remember_branch(git: Git, branch: str | None) -> None:
    target = _branch_file(git)
    if branch is None:
        target.unlink(missing_ok=True)
        return
    assert git.cwd is not None
    _replace(git.cwd, target, branch)


@dataclass(frozen=True)
class RemoteHeads:
    head: str | None  # the branch the remote's HEAD names, if any
    branches: frozenset[str]


def remote_heads(git: Git, location: RepoLocation) -> RemoteHeads:
    assert git.credentials is not None
    listed = git.run(
        "ls-remote", "--symref", git.credentials.url, "HEAD", "refs/heads/*", check=False
    )
    if listed.returncode != 0:
        raise OperationalError(
            f"cannot read the branches of {location.display}: "
            f"{git.scrub(failure_detail(listed.stderr))}"
        )
    head = None
    branches: set[str] = set()
    for line in listed.stdout.splitlines():
        fields = line.split()
        if line.startswith("ref: refs/heads/") and fields[-1] == "HEAD":
            head = fields[1].removeprefix("refs/heads/")
        elif len(fields) == 2 and fields[1].startswith("refs/heads/"):
            branches.add(fields[1].removeprefix("refs/heads/"))
    return RemoteHeads(head, frozenset(branches))


def default_branch(git: Git, location: RepoLocation) -> str:
    """Ask the remote which branch to write: the branch its HEAD names, else
    its only branch; an empty remote gets main. A remote with several branches
    and a HEAD naming none of them is refused rather than given a second
    default branch."""
    heads = remote_heads(git, location)
    if heads.head is not None and heads.head in heads.branches:
        remember_branch(git, heads.head)
        return heads.head
    if len(heads.branches) == 1:  # HEAD unborn or dangling, but no doubt which branch
        (only,) = heads.branches
        remember_branch(git, only)
        return only
    remember_branch(git, None)
    if not heads.branches:
        return heads.head or DEFAULT_BRANCH
    raise OperationalError(
        f"{location.display} has branches ({', '.join(sorted(heads.branches))}) but its HEAD "
        "names none of them: pass --branch to choose one"
    )


def _has_ref(repo: Path, ref: str) -> bool:
    if (repo / ref).is_file():
        return True
    packed = repo / "packed-refs"
    return packed.is_file() and f" {ref}\n" in packed.read_text(encoding="utf-8")


def tracking_ref(branch: str) -> str:
    return f"refs/remotes/origin/{branch}"


# A fetch that failed with one of these failed at the remote's end; any other
# failure may be the cache's own (a corrupt object, a broken shallow file).
_REMOTE_FAILURES = (
    "could not read from remote",
    "unable to access",
    "does not appear to be a git repository",
    "authentication failed",
    "not found",
    "permission denied",
    "could not resolve",
    "connection",
    "timed out",
)


class FetchFailed(OperationalError):
    def __init__(self, message: str, *, remote_side: bool) -> None:
        super().__init__(message)
        self.remote_side = remote_side


def fetch(git: Git, location: RepoLocation, branch: str) -> str | None:
    """Fetch the remote branch's tip; its commit id, or None when the branch
    does not exist on the remote."""
    assert git.cwd is not None and git.credentials is not None
    # A new cache takes only the tip (cost independent of history); later
    # fetches take just the new commits, which --depth 1 would re-send whole.
    first = not _has_ref(git.cwd, tracking_ref(branch))
    fetched = git.run(
        "fetch",
        "-q",
        *(["--depth", "1"] if first else []),
        "--no-tags",
        "--no-show-forced-updates",
        "--no-auto-maintenance",  # compact() decides, without a process per fetch
        git.credentials.url,
        f"+refs/heads/{branch}:{tracking_ref(branch)}",
        check=False,
    )
    if fetched.returncode != 0:
        if _MISSING_REF in fetched.stderr:
            return None
        lowered = fetched.stderr.lower()
        detail = git.scrub(failure_detail(fetched.stderr))
        raise FetchFailed(
            f"git fetch from {location.display} failed: {detail}",
            remote_side=any(marker in lowered for marker in _REMOTE_FAILURES),
        )
    line = (git.cwd / "FETCH_HEAD").read_text(encoding="utf-8").split("\n", 1)[0]
    tip = line.split("\t", 1)[0].strip()
    if len(tip) != 40:
        raise OperationalError(f"git fetch from {location.display} named no commit")
    return tip


def record_push(git: Git, branch: str, commit: str) -> None:
    """Move the remote-tracking ref to what we pushed (as `git push origin`
    would), so the next fetch negotiates from it."""
    assert git.cwd is not None
    target = git.cwd / tracking_ref(branch)
    target.parent.mkdir(parents=True, exist_ok=True)
    _replace(git.cwd, target, commit + "\n")


LOOSE_OBJECTS_LIMIT = 6700  # git's own gc.auto threshold


def compact(git: Git) -> None:
    """Pack loose objects once they are many (each write adds a few). Git's
    own estimate: one of 256 object folders stands for all of them."""
    assert git.cwd is not None
    sample = git.cwd / "objects" / "17"
    try:
        count = sum(1 for _ in sample.iterdir())
    except FileNotFoundError:
        return
    if count * 256 > LOOSE_OBJECTS_LIMIT:
        git.run("gc", "--auto", "--quiet", check=False)
