"""The objects written from Python are the objects Git itself writes, and a
commit built on a tip changes only the paths it names."""

from __future__ import annotations

import subprocess
from pathlib import Path

from wildside.gitops.git import Git
from wildside.gitops.objects import FILE_MODE, Entry, ObjectStore


def git(repo: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        ["git", "--git-dir", str(repo), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_blobs_trees_and_commits_match_git_and_pass_fsck(tmp_path: Path) -> None:
    repo = tmp_path / "repo.git"
    subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
    with ObjectStore(Git(repo)) as store:
        blob = store.write("blob", b"kind: Kustomization\n")
        assert blob == git(repo, "hash-object", "--stdin", stdin="kind: Kustomization\n")
        # names chosen so that Git's directory ordering ("a-b" < "a/" < "a0") matters
        inner = store.write_tree([Entry(FILE_MODE, "f.yaml", blob)])
        entries = [
            Entry(FILE_MODE, "a0", blob),
            Entry("40000", "a", inner),
            Entry(FILE_MODE, "a-b", blob),
        ]
        tree = store.write_tree(entries)
        listing = f"040000 tree {inner}\ta\n100644 blob {blob}\ta-b\n100644 blob {blob}\ta0\n"
        assert tree == git(repo, "mktree", stdin=listing)
        commit = store.write_commit(tree, None, "first", {})
        assert git(repo, "cat-file", "-t", commit) == "commit"
        assert git(repo, "log", "--format=%s", commit) == "first"
    subprocess.run(["git", "--git-dir", str(repo), "fsck", "--strict"], check=True)


def test_rewrite_touches_only_the_named_paths(tmp_path: Path) -> None:
    repo = tmp_path / "repo.git"
    subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
    with ObjectStore(Git(repo)) as store:
        one = store.write("blob", b"1\n")
        two = store.write("blob", b"2\n")
        base = store.rewrite(
            None,
            {
                "overlays/ephemeral/pr-1/a.yaml": Entry(FILE_MODE, "a.yaml", one),
                "overlays/ephemeral/pr-2/a.yaml": Entry(FILE_MODE, "a.yaml", one),
                "wildside.yaml": Entry(FILE_MODE, "wildside.yaml", one),
            },
        )
        assert base is not None
        changed = store.rewrite(
            base,
            {
                "overlays/ephemeral/pr-1/a.yaml": None,
                "overlays/ephemeral/pr-3/b.yaml": Entry(FILE_MODE, "b.yaml", two),
            },
        )
        assert changed is not None
        listing = git(repo, "ls-tree", "-r", "--name-only", changed).splitlines()
        assert listing == [
            "overlays/ephemeral/pr-2/a.yaml",
            "overlays/ephemeral/pr-3/b.yaml",
            "wildside.yaml",
        ]
        assert store.rewrite(changed, {"wildside.yaml": Entry(FILE_MODE, "x", one)}) == changed
        assert store.rewrite(changed, dict.fromkeys(listing)) is None
