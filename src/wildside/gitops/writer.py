"""Commit a change to a GitOps repository safely under concurrency.

The change is a function of a directory, not a patch: every attempt fetches
the remote tip, writes out the part of its tree the change needs, re-applies
the function there, and builds the commit with Git plumbing on top of the tip
(blobs, the trees along the changed paths, the commit; no index), then pushes
it. A push rejected because the remote moved is retried with jittered
backoff, so concurrent writers neither lose nor duplicate updates, and a
change that is already present makes no commit. Nothing is reported before
the tree of the remote's tip was read back and holds the intended files."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from wildside.core.errors import BadInput, OperationalError
from wildside.core.output import SILENT, Progress
from wildside.gitops import checkout, worktree
from wildside.gitops.git import Git, failure_detail
from wildside.gitops.location import RepoLocation
from wildside.gitops.objects import DamagedCache, ObjectStore

T = TypeVar("T")
U = TypeVar("U")

_RETRYABLE_PUSH = (
    "[rejected]",
    "non-fast-forward",
    "fetch first",
    "failed to update ref",
    "cannot lock ref",
    "incorrect old value",
    "failed to lock",
)
# Not "remote rejected" alone: a server hook's refusal (protected branch) is final.


PUSH_ATTEMPTS_VARIABLE = "WILDSIDE_PUSH_ATTEMPTS"
MAX_PUSH_ATTEMPTS = 1000
# Least privilege on the CLI side: a job that may change only some paths
# (a pull request's preview job: overlays/ephemeral/) sets them here, and a
# change touching anything else is refused before a commit exists.
WRITE_SCOPE_VARIABLE = "WILDSIDE_WRITE_ONLY_UNDER"


def write_scope() -> tuple[str, ...] | None:
    """The path prefixes a write may touch (comma-separated), or None: anywhere."""
    raw = os.environ.get(WRITE_SCOPE_VARIABLE)
    if raw is None or not raw.strip():
        return None
    prefixes = tuple(p.strip().strip("/") + "/" for p in raw.split(",") if p.strip().strip("/"))
    if not prefixes or any(".." in p.split("/") or p.startswith(".") for p in prefixes):
        raise BadInput(
            f"{WRITE_SCOPE_VARIABLE}={raw!r} is not a list of repository directories: "
            "give e.g. overlays/ephemeral, or unset it"
        )
    return prefixes


def check_scope(paths: list[str], scope: tuple[str, ...] | None) -> None:
    outside = sorted(p for p in paths if scope is not None and not p.startswith(scope))
    if outside:
        raise BadInput(
            f"this change would write {outside[0]}, outside {WRITE_SCOPE_VARIABLE}="
            f"{','.join(s.rstrip('/') for s in scope or ())}: a job with that scope may "
            "change only those paths (nothing was written)"
        )


def push_attempts() -> int:
    raw = os.environ.get(PUSH_ATTEMPTS_VARIABLE, "30").strip()
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PUSH_ATTEMPTS:
        raise BadInput(
            f"{PUSH_ATTEMPTS_VARIABLE}={raw!r} is not a number of attempts: set a whole number "
            f"from 1 to {MAX_PUSH_ATTEMPTS} (default 30), or unset it"
        )
    return int(raw)


@dataclass(frozen=True)
class CommitOutcome(Generic[T]):
    changed: bool
    commit: str | None
    attempts: int
    branch: str
    value: T


BACKOFF_CAP = 2.0  # seconds, on a machine where an attempt is quick


def backoff_limit(attempt: int, attempt_seconds: float) -> float:
    """The longest wait after failed attempt `attempt`: doubling from 0.1 s up
    to 2 s, or up to three times what the attempt took when that is longer.
    Where attempts are slow (a loaded machine, a distant remote), rival writers
    spread out in proportion, so the same number of attempts outlasts as many
    rivals' pushes as on a fast machine instead of running out first."""
    return min(max(BACKOFF_CAP, 3 * attempt_seconds), 0.05 * 2.0**attempt)


def _backoff(attempt: int, attempt_seconds: float) -> None:
    limit = backoff_limit(attempt, attempt_seconds)
    time.sleep(random.uniform(0, limit))  # noqa: S311 - jitter, not crypto


def _push_error(git: Git, report: str) -> str:
    return git.scrub(failure_detail(report))


class _Session:
    """One locked slot: its repository, object store and the branch to write."""

    def __init__(self, slot: checkout.Slot, location: RepoLocation) -> None:
        self.slot = slot
        self.location = location
        self.git = checkout.prepare(slot, location)
        worktree.remove_stale_manifests(slot.directory)
        self.store = ObjectStore(self.git)
        self.explicit = location.branch is not None
        cached = None if self.explicit else checkout.cached_branch(self.git)
        self.from_cache = cached is not None
        self.branch = location.branch or cached or checkout.default_branch(self.git, location)

    def fetch(self) -> str | None:
        """The remote tip; asks the remote again when the remembered default
        branch is gone (renamed), and rebuilds a cache git cannot fetch into."""
        try:
            tip = checkout.fetch(self.git, self.location, self.branch)
        except checkout.FetchFailed as failure:
            if failure.remote_side:
                raise
            self.rebuild()
            tip = checkout.fetch(self.git, self.location, self.branch)
        if tip is None and self.from_cache:
            self.from_cache = False
            self.branch = checkout.default_branch(self.git, self.location)
            tip = checkout.fetch(self.git, self.location, self.branch)
        return tip

    def rebuild(self) -> None:
        """Start the slot over: a new repository, no scratch trees."""
        self.store.close()
        self.store.forget()
        checkout.rebuild(self.slot, self.git)

    def tree_of(self, commit: str | None) -> str | None:
        return self.store.commit_tree(commit) if commit is not None else None

    def verify(self, commit: str | None, expected: dict[str, str | None]) -> None:
        """Read the commit's tree back from the repository: every intended file
        is there with the intended content, every removed one is gone."""
        self.store.forget()
        tree = self.tree_of(commit)
        for path, oid in expected.items():
            entry = self.store.lookup(tree, path)
            if (entry.oid if entry is not None and not entry.is_tree else None) != oid:
                raise OperationalError(
                    f"the tip of {self.location.display} ({self.branch}) does not hold "
                    f"{path} as written; nothing is reported as done: run the command again"
                )


def _repairing(session: _Session, step: Callable[[], U]) -> U:
    """Run `step`; when the cache turns out to lack an object (which a fetch
    that brought nothing new cannot notice), rebuild the slot and run it again."""
    try:
        return step()
    except DamagedCache:
        session.rebuild()
        return step()


def read(location: RepoLocation, reader: Callable[[Path], T]) -> tuple[T, str | None]:
    """Run `reader` on a copy of the remote tip's tree; returns its value and the tip."""
    with checkout.locked_slot(location) as slot:
        session = _Session(slot, location)
        with session.store:
            scratch = slot.scratch(None)

            def fetch_and_write_out() -> tuple[str | None, worktree.Snapshot]:
                tip = session.fetch()
                tree = session.tree_of(tip)
                return tip, worktree.materialize(session.store, tree, scratch, None)

            tip, snapshot = _repairing(session, fetch_and_write_out)
            value = reader(scratch)
            snapshot.unchanged()
            return value, tip


@dataclass(frozen=True)
class _Draft(Generic[T]):
    """One attempt's commit-to-be: the tip it builds on and the tree it would hold."""

    tip: str | None
    base: str | None
    tree: str | None
    value: T
    expected: dict[str, str | None]


def _draft(
    session: _Session,
    change: Callable[[Path], T],
    sparse: list[str] | None,
    scope: tuple[str, ...] | None,
) -> _Draft[T]:
    store = session.store
    tip = session.fetch()
    base = session.tree_of(tip)
    scratch = session.slot.scratch(sparse)
    snapshot = worktree.materialize(store, base, scratch, sparse)
    value = change(scratch)
    changes, expected = snapshot.changes(store)
    check_scope(list(changes), scope)
    tree = store.rewrite(base, changes) if changes else base
    if tree is None and base is not None:  # everything removed: Git's empty tree
        tree = store.write_tree([])
    return _Draft(tip, base, tree, value, expected)


def commit_change(
    location: RepoLocation,
    change: Callable[[Path], T],
    message: Callable[[T], str],
    *,
    sparse: list[str] | None = None,
    progress: Progress = SILENT,
) -> CommitOutcome[T]:
    """Apply `change` to the tip of the remote branch, commit and push, retrying
    on a moved remote. `change` must be a pure function of the directory it is
    given. With `sparse`, only those directories (and the files directly in
    their parents) are written out; `change` must not need anything else."""
    attempts = push_attempts()
    scope = write_scope()
    with checkout.locked_slot(location) as slot:
        session = _Session(slot, location)
        with session.store:
            return _commit(session, change, message, sparse, progress, attempts, scope)


def _commit(
    session: _Session,
    change: Callable[[Path], T],
    message: Callable[[T], str],
    sparse: list[str] | None,
    progress: Progress,
    attempts: int,
    scope: tuple[str, ...] | None = None,
) -> CommitOutcome[T]:
    location, git, store = session.location, session.git, session.store
    for attempt in range(1, attempts + 1):
        started = time.monotonic()
        progress.step(f"syncing {location.display} ({session.branch})")
        draft = _repairing(session, lambda: _draft(session, change, sparse, scope))
        tip, tree, value, expected = draft.tip, draft.tree, draft.value, draft.expected
        if tree == draft.base:
            session.verify(tip, expected)
            return CommitOutcome(False, tip, attempt, session.branch, value)
        assert tree is not None
        commit = store.write_commit(tree, tip, message(value), git.env)
        progress.step(f"pushing to {session.branch} (attempt {attempt})")
        assert git.credentials is not None
        pushed = git.run(
            "push",
            "--porcelain",
            git.credentials.url,
            f"{commit}:refs/heads/{session.branch}",
            check=False,
        )
        if pushed.returncode == 0:
            checkout.record_push(git, session.branch, commit)
            session.verify(commit, expected)
            checkout.compact(git)
            # Another writer may have pushed a byte-identical commit (same tree,
            # parent, author and second): the ref is "up to date" and ours changed nothing.
            ours = not any(line.startswith("=\t") for line in pushed.stdout.splitlines())
            return CommitOutcome(ours, commit, attempt, session.branch, value)
        report = pushed.stdout + pushed.stderr
        if not any(marker in report for marker in _RETRYABLE_PUSH):
            raise OperationalError(
                f"git push to {location.display} failed: {_push_error(git, report)}"
            )
        _backoff(attempt, time.monotonic() - started)
    raise OperationalError(
        f"git push to {location.display} was rejected {attempts} times because the remote "
        "kept moving: re-run the command, or raise WILDSIDE_PUSH_ATTEMPTS"
    )
