"""What `preview gc` removes, as a pure function of the previews, the open
pull requests GitHub reported and the time, with the safety bounds that stop
an API failure from deleting every preview."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from wildside.previews.model import PreviewRecord


@dataclass(frozen=True)
class Bounds:
    max_deletions: int = 10
    max_fraction: float = 0.5

    def allowed(self, total: int) -> int:
        """Most previews one run may delete: the smaller of the absolute cap
        and the fraction (at least one, so a lone stale preview can go)."""
        return min(self.max_deletions, max(1, math.ceil(self.max_fraction * total)))


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

    @property
    def safe(self) -> bool:
        return self.refused is None


def candidates(
    records: list[PreviewRecord], open_prs: set[int], now: datetime
) -> tuple[list[Removal], list[int], list[int]]:
    removals, pinned, kept = [], [], []
    for record in sorted(records, key=lambda r: r.pr):
        if record.pinned:
            pinned.append(record.pr)
        elif record.pr not in open_prs:
            removals.append(Removal(record.pr, "closed"))
        elif record.expired(now):
            removals.append(Removal(record.pr, "expired"))
        else:
            kept.append(record.pr)
    return removals, pinned, kept


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
    elif len(removals) > bounds.allowed(total):
        refused = (
            f"{len(removals)} of {total} previews would be deleted, more than the bound of "
            f"{bounds.allowed(total)} (--max-deletions {bounds.max_deletions}, "
            f"--max-fraction {bounds.max_fraction:g}); a partial pull request list is the "
            "likely cause, nothing deleted (raise the bounds if the plan is right)"
        )
    return Plan(total, removals, pinned, kept, refused, open_prs=len(open_prs))
