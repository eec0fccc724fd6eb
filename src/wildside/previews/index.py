"""The `overlays/ephemeral/kustomization.yaml` index: one entry per preview,
derived from the preview directories present, sorted by PR number."""

from __future__ import annotations

import re
from pathlib import Path

from wildside.apps_repo import layout
from wildside.core.yaml_io import load_documents

FLUX_FILE = "flux-kustomization.yaml"
_ENTRY = re.compile(r"pr-(\d+)/" + re.escape(FLUX_FILE))
_DIRECTORY = re.compile(r"pr-(\d+)")


def entry(pr: int) -> str:
    return f"pr-{pr}/{FLUX_FILE}"


def preview_numbers(worktree: Path) -> list[int]:
    """PR numbers that have a complete preview directory in the tree."""
    ephemeral = worktree / layout.EPHEMERAL_DIR
    if not ephemeral.is_dir():
        return []
    numbers = []
    for child in ephemeral.iterdir():
        match = _DIRECTORY.fullmatch(child.name)
        if match and (child / FLUX_FILE).is_file():
            numbers.append(int(match.group(1)))
    return sorted(numbers)


def render(existing_text: str | None, numbers: list[int]) -> str:
    """Keep entries a human added, replace preview entries by the given set."""
    foreign: list[str] = []
    if existing_text:
        documents = load_documents(existing_text, source=layout.EPHEMERAL_INDEX)
        resources = documents[0].get("resources", []) if documents else []
        foreign = [str(item) for item in resources or [] if not _ENTRY.fullmatch(str(item))]
    return layout.ephemeral_index(sorted(foreign) + [entry(n) for n in sorted(set(numbers))])


def refresh(worktree: Path) -> None:
    path = worktree / layout.EPHEMERAL_INDEX
    existing = path.read_text(encoding="utf-8") if path.is_file() else None
    text = render(existing, preview_numbers(worktree))
    if existing != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
