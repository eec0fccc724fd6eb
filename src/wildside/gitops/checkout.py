"""Persistent, shallow working copies of a remote, one per concurrent user.

A checkout lives in a slot under the cache directory; a process takes the
first slot it can lock, so parallel jobs on one machine never share a tree and
a later run on the same machine finds its clone warm."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from wildside.core.errors import OperationalError
from wildside.gitops.git import Git, failure_detail
from wildside.gitops.location import DEFAULT_BRANCH, RepoLocation

MAX_SLOTS = 64


def cache_root() -> Path:
    configured = os.environ.get("WILDSIDE_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "wildside"


def _checkouts_for(location: RepoLocation) -> Path:
    if location.embedded and location.local_bare is not None:
        return location.local_bare.parent / "checkouts" / location.local_bare.stem
    digest = hashlib.sha256(location.url.encode()).hexdigest()[:16]
    return cache_root() / "checkouts" / digest


@contextlib.contextmanager
def locked_checkout(location: RepoLocation) -> Iterator[Path]:
    """Yield a working-tree directory that no other process uses meanwhile."""
    base = _checkouts_for(location)
    base.mkdir(parents=True, exist_ok=True)
    for index in range(MAX_SLOTS):
        handle = (base / f"slot-{index}.lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield base / f"slot-{index}"
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        return
    handle = (base / "slot-0.lock").open("a+")
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield base / "slot-0"


def prepare(directory: Path, location: RepoLocation) -> Git:
    """Make `directory` a Git repository whose `origin` is the location."""
    git = Git(directory, url=location.url)
    if not (directory / ".git").is_dir():
        directory.mkdir(parents=True, exist_ok=True)
        git.run("init", "-q")
        git.run("remote", "add", "--", "origin", location.url)  # a URL is never an option
        git.run("config", "gc.autoDetach", "false")
        # index v4 and the untracked cache keep add/commit cheap on trees with many previews
        git.run("config", "feature.manyFiles", "true")
    elif git.output("remote", "get-url", "origin") != location.url:
        git.run("remote", "set-url", "--", "origin", location.url)
    return git


def branch_of(git: Git, location: RepoLocation) -> str:
    """The branch to write: the given one, else the remote's default (cached)."""
    if location.branch:
        return location.branch
    assert git.cwd is not None
    cache = git.cwd / ".git" / "wildside-default-branch"
    if cache.is_file():
        return cache.read_text(encoding="utf-8").strip()
    listing = git.run("ls-remote", "--symref", "origin", "HEAD", check=False).stdout
    branch = DEFAULT_BRANCH
    for line in listing.splitlines():
        if line.startswith("ref: refs/heads/"):
            branch = line.split()[1].removeprefix("refs/heads/")
    if listing.strip():
        cache.write_text(branch, encoding="utf-8")
    return branch


def _sparse_state(git: Git) -> Path:
    assert git.cwd is not None
    return git.cwd / ".git" / "wildside-sparse"


def _narrow(git: Git, sparse: list[str] | None) -> None:
    """Check out only `sparse` directories (cone mode: plus the files directly in
    their parents), or everything when None. The current choice is remembered
    in a file so that the common case costs no extra process."""
    state = _sparse_state(git)
    current = state.read_text(encoding="utf-8") if state.is_file() else None
    if sparse is None:
        if current is not None:
            git.run("sparse-checkout", "disable")
            state.unlink()
        return
    wanted = "\n".join(sorted(sparse))
    if current != wanted:
        git.run("sparse-checkout", "set", "--cone", "--sparse-index", *sorted(sparse))
        state.write_text(wanted, encoding="utf-8")


def sync(git: Git, branch: str, sparse: list[str] | None = None) -> bool:
    """Point the working tree at the remote tip (depth 1), narrowed to `sparse`
    directories when given, so the cost of a write does not grow with the
    number of previews. Returns False when the remote branch does not exist
    yet (a new, empty repository)."""
    assert git.cwd is not None
    # A new checkout takes only the tip (cost independent of history); later
    # fetches take just the new commits, which --depth 1 would re-send whole.
    marker = git.cwd / ".git" / "wildside-fetched"
    first = not marker.is_file()
    fetched = git.run(
        "fetch",
        "-q",
        *(["--depth", "1"] if first else []),
        "--no-tags",
        "origin",
        f"+refs/heads/{branch}:refs/remotes/origin/{branch}",
        check=False,
    )
    if fetched.returncode != 0:
        if "couldn't find remote ref" in fetched.stderr:
            _narrow(git, None)
            git.run("checkout", "-q", "--orphan", f"wildside-new-{os.getpid()}", check=False)
            git.run("rm", "-rfq", "--cached", "--ignore-unmatch", ".")
            git.run("clean", "-fdqx")
            return False
        raise OperationalError(f"git fetch failed: {failure_detail(fetched.stderr)}")
    marker.touch()
    _narrow(git, sparse)
    git.run("checkout", "-q", "-f", "-B", branch, f"refs/remotes/origin/{branch}")
    git.run("clean", "-fdqx")
    return True
