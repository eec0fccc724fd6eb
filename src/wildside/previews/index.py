"""The `overlays/ephemeral/kustomization.yaml` index: one entry per preview,
kept sorted by PR number; it is the source of truth for which previews exist."""

from __future__ import annotations

from pathlib import Path

from wildside.contract.identity import FLUX_FILE, directory_name, pr_of_directory
from wildside.core.yaml_io import load_documents
from wildside.previews import layout


def entry(pr: int) -> str:
    return f"{directory_name(pr)}/{FLUX_FILE}"


def _entry_pr(item: str) -> int | None:
    directory, _, file_name = item.partition("/")
    return pr_of_directory(directory) if file_name == FLUX_FILE else None


def preview_numbers(worktree: Path) -> list[int]:
    """PR numbers listed in the index, the source of truth for which previews exist."""
    path = worktree / layout.EPHEMERAL_INDEX
    _, numbers = entries(path.read_text(encoding="utf-8") if path.is_file() else None)
    return sorted(numbers)


def entries(existing_text: str | None) -> tuple[list[str], set[int]]:
    """Split the index's resources into entries a human added and PR numbers."""
    if not existing_text:
        return [], set()
    documents = load_documents(existing_text, source=layout.EPHEMERAL_INDEX)
    resources = (documents[0].get("resources") if documents else None) or []
    foreign: list[str] = []
    numbers: set[int] = set()
    for item in map(str, resources):
        number = _entry_pr(item)
        if number is not None:
            numbers.add(number)
        else:
            foreign.append(item)
    return foreign, numbers


def render(existing_text: str | None, *, add: int | None = None, remove: int | None = None) -> str:
    """The index with one preview added or removed; sorted, without duplicates,
    keeping entries a human added."""
    foreign, numbers = entries(existing_text)
    if add is not None:
        numbers.add(add)
    if remove is not None:
        numbers.discard(remove)
    return layout.ephemeral_index(sorted(foreign) + [entry(n) for n in sorted(numbers)])


def update(worktree: Path, *, add: int | None = None, remove: int | None = None) -> None:
    """Rewrite the index in place. It is the source of truth for which previews
    exist, so a write needs only its own preview's directory checked out."""
    path = worktree / layout.EPHEMERAL_INDEX
    existing = path.read_text(encoding="utf-8") if path.is_file() else None
    text = render(existing, add=add, remove=remove)
    if existing != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
