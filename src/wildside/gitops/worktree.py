"""The part of a commit's tree a change needs, as plain files in a scratch
directory, and the change read back as tree entries.

With `sparse` directories, only those are written out in full, plus the files
directly in each of their parents (Git's cone mode): `overlays/ephemeral/pr-7`
brings `wildside.yaml`, the index `overlays/ephemeral/kustomization.yaml` and
`pr-7/`, whatever the number of other previews. A file the change writes
anywhere else is added; only files it was shown can be removed."""

from __future__ import annotations

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


@dataclass
class Snapshot:
    directory: Path
    shown: dict[str, Entry] = field(default_factory=dict)  # path -> the tip's entry

    def changes(self, store: ObjectStore) -> tuple[dict[str, Entry | None], dict[str, str | None]]:
        """What the change did, as (path -> new entry or None for removed,
        which the commit applies) and (path -> blob id or None: every file the
        commit must hold, for the check after the push)."""
        changes: dict[str, Entry | None] = {}
        expected: dict[str, str | None] = {}
        found: set[str] = set()
        for root, directories, files in os.walk(self.directory):
            directories.sort()
            for name in files:
                absolute = Path(root, name)
                if absolute.is_symlink():
                    continue
                path = absolute.relative_to(self.directory).as_posix()
                found.add(path)
                content = absolute.read_bytes()
                oid = object_id("blob", content)
                expected[path] = oid
                before = self.shown.get(path)
                if before is None or before.oid != oid:
                    store.write("blob", content)
                    mode = before.mode if before is not None else FILE_MODE
                    changes[path] = Entry(mode, PurePosixPath(path).name, oid)
        for path in self.shown.keys() - found:
            changes[path] = None
            expected[path] = None
        return changes, expected


def materialize(
    store: ObjectStore, tree: str | None, directory: Path, sparse: list[str] | None
) -> Snapshot:
    """Make `directory` hold the region of `tree` the change needs, and nothing else."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    snapshot = Snapshot(directory)
    if tree is not None:
        _write(store, tree, "", Region.of(sparse), snapshot)
    return snapshot


def _write(store: ObjectStore, tree: str, prefix: str, region: Region, snapshot: Snapshot) -> None:
    whole = region.inside(prefix)
    for entry in store.tree(tree):
        path = f"{prefix}/{entry.name}" if prefix else entry.name
        if entry.is_tree:
            if whole or region.inside(path) or path in region.parents:
                (snapshot.directory / path).mkdir(exist_ok=True)
                _write(store, entry.oid, path, region, snapshot)
        elif entry.mode in ("100644", "100755") and (whole or prefix in region.parents):
            target = snapshot.directory / path
            target.write_bytes(store.read(entry.oid, "blob"))
            if entry.mode == "100755":
                target.chmod(0o755)
            snapshot.shown[path] = entry
