"""The job step summary: appended to $GITHUB_STEP_SUMMARY when it is set."""

from __future__ import annotations

import os
from pathlib import Path

SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"


def append(markdown: str) -> Path | None:
    target = os.environ.get(SUMMARY_VARIABLE)
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(markdown.rstrip("\n") + "\n\n")
    return path
