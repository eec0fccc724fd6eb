"""Every generated file says so, and a render refuses to overwrite one that was
edited by hand since (exit 1, one line, nothing written, no commit) unless
--force; the refusal and the forced render are both idempotent."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from wildside.platform import stamp

from conftest import commit_count
from support.platform_tree import EXAMPLES

EDITED = "clusters/dev/configs/kustomization.yaml"


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }


def _render(cli: Any, *args: str) -> Any:
    return cli("platform", "render", "--config-dir", str(EXAMPLES), "--json", *args)


def test_every_generated_file_carries_the_header(rendered_tree: Path) -> None:
    files = _files(rendered_tree)
    assert files
    for path, text in files.items():
        first = text.splitlines()[0]
        assert stamp.NOTICE in first, path
        assert not stamp.edited(text), path


def _refused(result: Any) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("wildside: error:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr
    assert EDITED in errors[0] and "--force" in errors[0]


def test_a_hand_edit_is_kept_until_force(cli: Any, tmp_path: Path) -> None:
    output = tmp_path / "tree"
    assert _render(cli, "--all", "--output", str(output)).returncode == 0
    target = output / EDITED
    target.write_text(target.read_text() + "# a hot fix\n")
    (output / "clusters/dev/cluster-vars.yaml").unlink()  # a deletion is not an edit
    before = _files(output)

    for _ in range(2):  # the refusal itself is idempotent: nothing written either time
        _refused(_render(cli, "--all", "--output", str(output)))
        assert _files(output) == before

    other = _render(cli, "--cluster", "staging", "--output", str(output))
    assert other.returncode == 0, other.stderr  # an edit elsewhere does not block staging
    assert other.json()["changed"] is False

    forced = _render(cli, "--all", "--output", str(output), "--force")
    assert forced.returncode == 0, forced.stderr
    assert sorted(forced.json()["files"]) == sorted([EDITED, "clusters/dev/cluster-vars.yaml"])
    assert "hot fix" not in target.read_text()
    again = _render(cli, "--all", "--output", str(output))
    assert again.returncode == 0 and again.json()["changed"] is False
    forced_again = _render(cli, "--all", "--output", str(output), "--force")
    assert forced_again.returncode == 0 and forced_again.json()["changed"] is False


def test_a_refused_render_makes_no_commit(cli: Any, bare_repo: Path, clone_remote: Any) -> None:
    assert _render(cli, "--all", "--repo", str(bare_repo)).returncode == 0
    clone = clone_remote(bare_repo)
    target = clone / EDITED
    target.write_text(target.read_text().replace("resources:", "resources: # pinned by hand\n "))
    git = ["git", "-C", str(clone), "-c", "user.name=t", "-c", "user.email=t@e"]
    subprocess.run([*git, "commit", "-qam", "hand edit"], check=True)
    subprocess.run([*git, "push", "-q", "origin", "HEAD:main"], check=True)
    assert commit_count(bare_repo) == 2

    _refused(_render(cli, "--all", "--repo", str(bare_repo)))
    assert commit_count(bare_repo) == 2
    forced = _render(cli, "--all", "--repo", str(bare_repo), "--force")
    assert forced.returncode == 0, forced.stderr
    assert forced.json()["files"] == [EDITED] and commit_count(bare_repo) == 3
    again = _render(cli, "--all", "--repo", str(bare_repo))
    assert again.json()["changed"] is False and commit_count(bare_repo) == 3
