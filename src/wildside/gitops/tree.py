"""File trees as values: renderers return {relative path: text}; this module
is the only place that writes them to disk."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from wildside.core.errors import BadInput

FileTree = Mapping[str, str]


def safe_path(root: Path, relative: str) -> Path:
    """Resolve `relative` under `root`, refusing anything that escapes it."""
    candidate = PurePosixPath(relative)
    if candidate.is_absolute() or ".." in candidate.parts or not candidate.parts:
        raise BadInput(
            f"output path {relative!r} would land outside the repository: "
            "use a relative path without '..'"
        )
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise BadInput(f"output path {relative!r} resolves outside the repository {root}")
    return resolved


def write_file(root: Path, relative: str, text: str) -> bool:
    """Write one file if its content differs; returns whether it changed."""
    target = safe_path(root, relative)
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return True


def sync_directory(root: Path, directory: str, files: FileTree) -> bool:
    """Make `root/directory` hold exactly `files` (paths relative to it);
    stale files are removed. Returns whether anything changed."""
    base = safe_path(root, directory)
    for relative in files:
        safe_path(base, relative)
    changed = False
    wanted = {(base / PurePosixPath(p)).resolve() for p in files}
    if base.is_dir():
        for existing in sorted(base.rglob("*"), reverse=True):
            if existing.is_file() and existing.resolve() not in wanted:
                existing.unlink()
                changed = True
            elif existing.is_dir() and not any(existing.iterdir()):
                existing.rmdir()
    for relative, text in sorted(files.items()):
        changed |= write_file(base, relative, text)
    return changed


def remove_directory(root: Path, directory: str) -> bool:
    target = safe_path(root, directory)
    if not target.exists():
        return False
    shutil.rmtree(target)
    return True


def read_tree(root: Path, directory: str) -> dict[str, str]:
    base = safe_path(root, directory)
    if not base.is_dir():
        return {}
    return {
        path.relative_to(base).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(base.rglob("*"))
        if path.is_file()
    }
