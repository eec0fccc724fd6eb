"""What `preview gc` removes, as a pure function of the previews, the open
pull requests GitHub reported and the time, with the safety bounds that stop
an API failure from deleting every preview."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from wildside.previews.model import PreviewRecord


@dataclass(frozen=True)
class Bounds:
    max_deletions: int = 10
    max_fraction: float = 0.5

    def allowed(self, total: int) -> int:
        """Most previews one run may delete: the smaller of the absolute cap
        (0: none) and the fraction, rounded down so a run never takes more than
        it (at least one, so a lone stale preview can go)."""
        return min(self.max_deletions, max(1, math.floor(self.max_fraction * total)))


@dataclass(frozen=True)
class Removal:
    pr: int
    reason: str  # closed | expired


@dataclass(frozen=True)
class Plan:
    total: int
    removals: list[Removal]
    kept_pinned: list[int]
    kept_open: list[int]
    refused: str | None = None
    open_prs: int | None = None
    # Due, but beyond this run's bound (the oldest go first; these next run),
    # or skipped because GitHub does not know the pull request (404).
    deferred: list[int] = field(default_factory=list)
    unconfirmed: list[int] = field(default_factory=list)

    @property
    def safe(self) -> bool:
        return self.refused is None


def candidates(
    records: list[PreviewRecord], open_prs: set[int], now: datetime
) -> tuple[list[Removal], list[int], list[int]]:
    """Due removals oldest first (the least recently deployed), then pinned and kept."""
    removals, pinned, kept = [], [], []
    for record in sorted(records, key=lambda r: (r.updated_at, r.pr)):
        if record.pinned:
            pinned.append(record.pr)
        elif record.pr not in open_prs:
            removals.append(Removal(record.pr, "closed"))
        elif record.expired(now):
            removals.append(Removal(record.pr, "expired"))
        else:
            kept.append(record.pr)
    return removals, sorted(pinned), sorted(kept)


def plan(
    records: list[PreviewRecord],
    open_prs: set[int] | None,
    now: datetime,
    bounds: Bounds,
    *,
    api_error: str | None = None,
    allow_empty: bool = False,
) -> Plan:
    """`open_prs` is None when GitHub could not be asked (`api_error` says why):
    then nothing is removed at all."""
    total = len(records)
    if open_prs is None:
        return Plan(
            total,
            [],
            [],
            [],
            refused=f"could not list open pull requests ({api_error or 'unknown error'}); "
            "nothing deleted",
        )
    removals, pinned, kept = candidates(records, open_prs, now)
    refused = None
    closed = [r for r in removals if r.reason == "closed"]
    if not open_prs and closed and not allow_empty:
        refused = (
            f"GitHub reported no open pull requests while {total} previews exist; an empty "
            "answer is treated as an API fault, nothing deleted (re-run with --allow-empty "
            "if every pull request really is closed)"
        )
    # Beyond the bound the oldest go now and the rest on later runs: each
    # closure is confirmed one by one (gc.make_plan), so a burst of closures
    # drains instead of refusing forever.
    allowed = bounds.allowed(total)
    deferred = [r.pr for r in removals[allowed:]]
    return Plan(
        total, removals[:allowed], pinned, kept, refused, open_prs=len(open_prs), deferred=deferred
    )
