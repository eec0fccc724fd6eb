"""Git objects without an index or working tree: read through one long-lived
`git cat-file --batch`, written as loose objects from Python (a loose object
is zlib("<type> <size>\\0<content>") under its SHA-1, published by rename, so
a kill never leaves a half-written object under its name).

A commit is built by rewriting only the trees on the paths that changed, so
its cost does not depend on how many previews live beside them."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from wildside.core.errors import OperationalError
from wildside.gitops.git import Git

TREE_MODE = "40000"
FILE_MODE = "100644"
_BLOB_MODES = ("100644", "100755")
_BATCH = 400  # requests of 41 bytes: well inside a 64 KiB pipe


@dataclass(frozen=True)
class Entry:
    mode: str
    name: str
    oid: str

    @property
    def is_tree(self) -> bool:
        return self.mode == TREE_MODE


def object_id(kind: str, content: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(content)}\0".encode() + content).hexdigest()  # noqa: S324


def _sort_key(entry: Entry) -> bytes:
    # Git orders a tree's entries by name, a directory as if its name ended in '/'.
    return entry.name.encode() + (b"/" if entry.is_tree else b"")


def tree_content(entries: list[Entry]) -> bytes:
    return b"".join(
        f"{e.mode} {e.name}\0".encode() + bytes.fromhex(e.oid)
        for e in sorted(entries, key=_sort_key)
    )


class DamagedCache(OperationalError):
    """An object the cache should hold is missing or unreadable: a fetch that
    saw nothing new does not notice, so the holder of the slot builds it anew."""


_TREE_ENTRY = re.compile(rb"([0-7]+) ([^\0]*)\0(.{20})", re.DOTALL)


def parse_tree(content: bytes) -> list[Entry]:
    entries = []
    end = 0
    for match in _TREE_ENTRY.finditer(content):
        if match.start() != end:
            break
        mode, name, oid = match.groups()
        entries.append(Entry(mode.decode(), name.decode("utf-8", "surrogateescape"), oid.hex()))
        end = match.end()
    if end != len(content):
        raise DamagedCache("a tree in the cached checkout is malformed")
    return entries


class ObjectStore:
    """Reads and writes the objects of the repository `git` runs in."""

    def __init__(self, git: Git) -> None:
        assert git.cwd is not None
        self._git = git
        self._objects = git.cwd / "objects"  # a bare repository
        self._process: subprocess.Popen[bytes] | None = None
        self._trees: dict[str, list[Entry]] = {}
        self._names: dict[str, dict[str, Entry]] = {}

    def __enter__(self) -> ObjectStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._process is not None:
            assert self._process.stdin is not None and self._process.stdout is not None
            self._process.stdin.close()
            # after a failed read, answers may still be pending: closing our end
            # ends cat-file instead of leaving it blocked on a full pipe
            self._process.stdout.close()
            self._process.wait()
            self._process = None

    def _batch(self) -> tuple[IO[bytes], IO[bytes]]:
        if self._process is None:
            self._process = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=self._git.cwd,
                env=self._git.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                pass_fds=self._git.hold,
            )
        assert self._process.stdin is not None and self._process.stdout is not None
        return self._process.stdin, self._process.stdout

    def read(self, oid: str, kind: str) -> bytes:
        stdin, _ = self._batch()
        stdin.write(oid.encode() + b"\n")
        stdin.flush()
        return self._answer(oid, kind)

    def _answer(self, oid: str, kind: str) -> bytes:
        _, stdout = self._batch()
        header = stdout.readline().split()
        if len(header) != 3 or header[1].decode() != kind:
            raise DamagedCache(
                f"the cached checkout lacks {kind} {oid} ({b' '.join(header).decode()!r})"
            )
        content = stdout.read(int(header[2]))
        stdout.read(1)  # the newline after each object
        return content

    def read_many(self, oids: list[str], kind: str) -> dict[str, bytes]:
        """Several objects in one exchange per batch (a round trip per object
        costs a context switch each, which a loaded machine makes slow). A
        batch stays far below the pipe's buffer, so writing never blocks."""
        found: dict[str, bytes] = {}
        unique = list(dict.fromkeys(oids))
        for start in range(0, len(unique), _BATCH):
            batch = unique[start : start + _BATCH]
            stdin, _ = self._batch()
            stdin.write(b"".join(oid.encode() + b"\n" for oid in batch))
            stdin.flush()
            for oid in batch:
                found[oid] = self._answer(oid, kind)
        return found

    def prefetch_trees(self, oids: list[str]) -> None:
        missing = [oid for oid in oids if oid not in self._trees]
        for oid, content in self.read_many(missing, "tree").items():
            self._trees[oid] = parse_tree(content)

    def tree(self, oid: str) -> list[Entry]:
        if oid not in self._trees:
            self._trees[oid] = parse_tree(self.read(oid, "tree"))
        return self._trees[oid]

    def commit_tree(self, commit: str) -> str:
        first = self.read(commit, "commit").split(b"\n", 1)[0]
        if not first.startswith(b"tree "):
            raise DamagedCache(f"commit {commit} in the cached checkout has no tree")
        return first[5:].decode()

    def write(self, kind: str, content: bytes) -> str:
        oid = object_id(kind, content)
        target = self._objects / oid[:2] / oid[2:]
        if target.exists():
            return oid
        payload = zlib.compress(f"{kind} {len(content)}\0".encode() + content, 1)
        temporary = target.parent / f"tmp_obj_{os.getpid()}_{oid[2:10]}"
        try:
            handle = temporary.open("wb")
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle = temporary.open("wb")
        try:
            with handle:
                handle.write(payload)
            temporary.replace(target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return oid

    def write_tree(self, entries: list[Entry]) -> str:
        content = tree_content(entries)
        oid = self.write("tree", content)
        self._trees.setdefault(oid, sorted(entries, key=_sort_key))
        return oid

    def files(self, tree: str | None, prefix: str = "") -> Iterator[tuple[str, Entry]]:
        """Every blob under `tree`, as (path, entry)."""
        if tree is None:
            return
        for entry in self.tree(tree):
            path = f"{prefix}{entry.name}"
            if entry.is_tree:
                yield from self.files(entry.oid, path + "/")
            elif entry.mode in _BLOB_MODES:
                yield path, entry

    def forget(self) -> None:
        """Read trees from the repository again (to check what was written)."""
        self._trees.clear()
        self._names.clear()

    def lookup(self, tree: str | None, path: str) -> Entry | None:
        """The entry at `path` under `tree`, or None."""
        *parents, leaf = PurePosixPath(path).parts
        current = tree
        for name in parents:
            if current is None:
                return None
            found = self._named(current).get(name)
            current = found.oid if found is not None and found.is_tree else None
        return None if current is None else self._named(current).get(leaf)

    def _named(self, tree: str) -> dict[str, Entry]:
        if tree not in self._names:
            self._names[tree] = {e.name: e for e in self.tree(tree)}
        return self._names[tree]

    def rewrite(self, tree: str | None, changes: Mapping[str, Entry | None]) -> str | None:
        """`tree` with each path set to its entry (None: removed); only the
        trees along changed paths are rewritten. None when nothing is left."""
        here: dict[str, Entry | None] = {}
        below: dict[str, dict[str, Entry | None]] = {}
        for path, entry in changes.items():
            head, _, rest = path.partition("/")
            if rest:
                below.setdefault(head, {})[rest] = entry
            else:
                here[head] = entry
        entries = {e.name: e for e in (self.tree(tree) if tree is not None else [])}
        for name, entry in here.items():
            if entry is None:
                entries.pop(name, None)
            else:
                entries[name] = Entry(entry.mode, name, entry.oid)
        for name, nested in below.items():
            existing = entries.get(name)
            subtree = self.rewrite(existing.oid if existing and existing.is_tree else None, nested)
            if subtree is None:
                entries.pop(name, None)
            else:
                entries[name] = Entry(TREE_MODE, name, subtree)
        if not entries:
            return None
        return self.write_tree(list(entries.values()))

    def write_commit(
        self, tree: str, parent: str | None, message: str, env: Mapping[str, str]
    ) -> str:
        stamp = f"{int(time.time())} +0000"
        lines = [f"tree {tree}"]
        if parent is not None:
            lines.append(f"parent {parent}")
        for role in ("author", "committer"):
            name = env.get(f"GIT_{role.upper()}_NAME", "wildside")
            email = env.get(f"GIT_{role.upper()}_EMAIL", "wildside@users.noreply.github.com")
            lines.append(f"{role} {name} <{email}> {stamp}")
        body = "\n".join(lines) + "\n\n" + message.rstrip("\n") + "\n"
        return self.write("commit", body.encode())
