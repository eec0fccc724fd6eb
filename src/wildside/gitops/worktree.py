"""The part of a commit's tree a change needs, as plain files in a scratch
directory, and the change read back as tree entries.

With `sparse` directories, only those are written out in full, plus the files
directly in each of their parents (Git's cone mode): `overlays/ephemeral/pr-7`
brings `wildside.yaml`, the index `overlays/ephemeral/kustomization.yaml` and
`pr-7/`, whatever the number of other previews. A file the change writes
anywhere else is added; only files it was shown can be removed."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from wildside.gitops.objects import FILE_MODE, Entry, ObjectStore, object_id


@dataclass(frozen=True)
class Region:
    full: frozenset[str]  # directories written out whole ("" = everything)
    parents: frozenset[str]  # directories whose files (not subdirectories) are written

    @staticmethod
    def of(sparse: list[str] | None) -> Region:
        if sparse is None:
            return Region(frozenset({""}), frozenset())
        full = frozenset(PurePosixPath(p).as_posix().strip("/") for p in sparse)
        parents = {""}
        for path in full:
            parts = PurePosixPath(path).parts
            parents.update("/".join(parts[:depth]) for depth in range(1, len(parts)))
        return Region(full, frozenset(parents))

    def inside(self, directory: str) -> bool:
        return any(
            not full or directory == full or directory.startswith(full + "/") for full in self.full
        )


def _manifest(directory: Path) -> Path:
    return directory.with_name(directory.name + ".manifest")


def _take_manifest(directory: Path) -> dict[str, str] | None:
    """What the directory held when the last run left it (path -> "mode oid"),
    and forget it: from now on the directory may differ until `record`."""
    path = _manifest(directory)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = None
    path.unlink(missing_ok=True)
    if not isinstance(state, dict) or not directory.is_dir():
        return None
    return {str(k): str(v) for k, v in state.items()}


def remove_stale_manifests(slot: Path) -> None:
    """Temporary manifests a run killed inside `record` left behind; only the
    slot's lock holder may call this."""
    for leftover in slot.glob("*.manifest.*"):
        leftover.unlink(missing_ok=True)


def record(directory: Path, state: dict[str, str]) -> None:
    """Remember that `directory` holds exactly `state` (written atomically)."""
    path = _manifest(directory)
    temporary = path.with_name(f"{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(state), encoding="utf-8")
    temporary.replace(path)


def _state(entries: dict[str, Entry]) -> dict[str, str]:
    return {path: f"{entry.mode} {entry.oid}" for path, entry in entries.items()}


@dataclass
class Snapshot:
    directory: Path
    shown: dict[str, Entry] = field(default_factory=dict)  # path -> the tip's entry

    def unchanged(self) -> None:
        """The change left the directory as it was written (a pure reader)."""
        record(self.directory, _state(self.shown))

    def changes(self, store: ObjectStore) -> tuple[dict[str, Entry | None], dict[str, str | None]]:
        """What the change did, as (path -> new entry or None for removed,
        which the commit applies) and (path -> blob id or None: every file the
        commit must hold, for the check after the push)."""
        changes: dict[str, Entry | None] = {}
        expected: dict[str, str | None] = {}
        on_disk: dict[str, Entry] = {}
        for root, directories, files in os.walk(self.directory):
            directories.sort()
            for name in files:
                absolute = Path(root, name)
                if absolute.is_symlink():
                    continue
                path = absolute.relative_to(self.directory).as_posix()
                content = absolute.read_bytes()
                oid = object_id("blob", content)
                expected[path] = oid
                before = self.shown.get(path)
                entry = Entry(before.mode if before is not None else FILE_MODE, name, oid)
                on_disk[path] = entry
                if before is None or before.oid != oid:
                    store.write("blob", content)
                    changes[path] = entry
        for path in self.shown.keys() - on_disk.keys():
            changes[path] = None
            expected[path] = None
        record(self.directory, _state(on_disk))
        return changes, expected


def materialize(
    store: ObjectStore, tree: str | None, directory: Path, sparse: list[str] | None
) -> Snapshot:
    """Make `directory` hold the region of `tree` the change needs, and nothing
    else. Only files that differ from what the last run left are written."""
    previous = _take_manifest(directory)
    if previous is None:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        previous = {}
    wanted: dict[str, Entry] = {}
    if tree is not None:
        _collect(store, tree, "", Region.of(sparse), wanted)
    emptied: set[Path] = set()
    for path in previous.keys() - wanted.keys():
        target = directory / path
        target.unlink(missing_ok=True)
        emptied.add(target.parent)
    for emptied_folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        folder = emptied_folder
        while folder != directory and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    state = _state(wanted)
    stale = [path for path in wanted if previous.get(path) != state[path]]
    contents = store.read_many([wanted[path].oid for path in stale], "blob")
    for path in stale:
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(contents[wanted[path].oid])
        target.chmod(0o755 if wanted[path].mode == "100755" else 0o644)
    return Snapshot(directory, wanted)


def _collect(
    store: ObjectStore, tree: str, prefix: str, region: Region, wanted: dict[str, Entry]
) -> None:
    """Every file of the region, reading the trees of one depth in one batch."""
    level = [(tree, prefix)]
    while level:
        store.prefetch_trees([oid for oid, _ in level])
        deeper = []
        for oid, folder in level:
            whole = region.inside(folder)
            for entry in store.tree(oid):
                path = f"{folder}/{entry.name}" if folder else entry.name
                if entry.is_tree:
                    if whole or region.inside(path) or path in region.parents:
                        deeper.append((entry.oid, path))
                elif entry.mode in ("100644", "100755") and (whole or folder in region.parents):
                    wanted[path] = entry
        level = deeper
