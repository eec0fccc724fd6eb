"""Commit a change to a GitOps repository safely under concurrency.

The change is a function of the working tree, not a patch: every attempt
fetches the remote tip, re-applies the function there, commits and pushes.
A push rejected because the remote moved is retried with jittered backoff, so
concurrent writers neither lose nor duplicate updates, and a change that is
already present makes no commit."""

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
from wildside.gitops import checkout
from wildside.gitops.git import failure_detail
from wildside.gitops.location import RepoLocation

T = TypeVar("T")

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


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, min(2.0, 0.05 * 2**attempt)))  # noqa: S311 - jitter, not crypto


def _push_error(report: str) -> str:
    return failure_detail(report)


def read(location: RepoLocation, reader: Callable[[Path], T]) -> tuple[T, str | None]:
    """Run `reader` on a fresh copy of the remote tip; returns its value and the tip."""
    with checkout.locked_checkout(location) as directory:
        git = checkout.prepare(directory, location)
        branch = checkout.branch_of(git, location)
        exists = checkout.sync(git, branch)
        tip = git.output("rev-parse", "HEAD") if exists else None
        return reader(directory), tip


def commit_change(
    location: RepoLocation,
    change: Callable[[Path], T],
    message: Callable[[T], str],
    *,
    sparse: list[str] | None = None,
    progress: Progress = SILENT,
) -> CommitOutcome[T]:
    """Apply `change` to the tip of the remote branch, commit and push, retrying
    on a moved remote. `change` must be a pure function of the tree it is given.
    With `sparse`, only those directories (and the files directly in their
    parents) are checked out; `change` must not need anything else."""
    attempts = push_attempts()
    with checkout.locked_checkout(location) as directory:
        git = checkout.prepare(directory, location)
        branch = checkout.branch_of(git, location)
        for attempt in range(1, attempts + 1):
            progress.step(f"syncing {location.display} ({branch})")
            exists = checkout.sync(git, branch, sparse)
            value = change(directory)
            git.run("add", "-A")
            if git.run("diff", "--cached", "--quiet", check=False).returncode == 0:
                tip = git.output("rev-parse", "HEAD") if exists else None
                return CommitOutcome(False, tip, attempt, branch, value)
            git.run("commit", "-q", "--no-verify", "-m", message(value))
            progress.step(f"pushing to {branch} (attempt {attempt})")
            pushed = git.run(
                "push", "--porcelain", "origin", f"HEAD:refs/heads/{branch}", check=False
            )
            if pushed.returncode == 0:
                # Another writer may have pushed a byte-identical commit (same tree,
                # parent, author and second): the ref is "up to date" and ours changed nothing.
                ours = not any(line.startswith("=\t") for line in pushed.stdout.splitlines())
                return CommitOutcome(ours, git.output("rev-parse", "HEAD"), attempt, branch, value)
            report = pushed.stdout + pushed.stderr
            if not any(marker in report for marker in _RETRYABLE_PUSH):
                raise OperationalError(
                    f"git push to {location.display} failed: {_push_error(report)}"
                )
            _backoff(attempt)
        raise OperationalError(
            f"git push to {location.display} was rejected {attempts} times because the remote "
            "kept moving: re-run the command, or raise WILDSIDE_PUSH_ATTEMPTS"
        )
