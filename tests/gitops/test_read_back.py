"""Nothing is reported before the tree the remote's tip names was read back
and holds every intended file. Tree building is broken on purpose here, in
the two ways that would otherwise end in a false report: a change taken for
no change (the `"changed": false` of issue 13), and a commit that lost a file."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from wildside.core.errors import OperationalError
from wildside.gitops import writer
from wildside.gitops.location import RepoLocation
from wildside.gitops.objects import Entry, ObjectStore

original_rewrite = ObjectStore.rewrite


def write_two_files(directory: Path) -> None:
    (directory / "a.txt").write_text("a\n")
    (directory / "b.txt").write_text("b\n")


def sees_no_change(
    self: ObjectStore, tree: str | None, _: Mapping[str, Entry | None]
) -> str | None:
    return tree


def loses_a_file(
    self: ObjectStore, tree: str | None, changes: Mapping[str, Entry | None]
) -> str | None:
    return original_rewrite(self, tree, {k: v for k, v in changes.items() if k != "b.txt"})


@pytest.mark.parametrize("broken", [sees_no_change, loses_a_file], ids=lambda f: f.__name__)
def test_a_tip_without_the_change_is_never_reported(
    broken: object, bare_repo: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = RepoLocation(url=bare_repo.as_uri(), branch="main", local_bare=bare_repo)
    monkeypatch.setattr(ObjectStore, "rewrite", broken)
    with pytest.raises(OperationalError, match=r"does not hold [ab]\.txt as written"):
        writer.commit_change(location, write_two_files, lambda _: "two files")
    monkeypatch.setattr(ObjectStore, "rewrite", original_rewrite)
    outcome = writer.commit_change(location, write_two_files, lambda _: "two files")
    assert outcome.changed is True
    listed = subprocess.run(
        ["git", "--git-dir", str(bare_repo), "ls-tree", "--name-only", "main"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert listed.stdout.split() == ["a.txt", "b.txt"]
