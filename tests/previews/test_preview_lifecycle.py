"""`wildside apps init` and `preview up/down/list` as a user runs them,
against local bare remotes."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import commit_count

SHA = "0123456789abcdef0123456789abcdef01234567"
SHA2 = "fedcba9876543210fedcba9876543210fedcba98"


@pytest.fixture
def apps_remote(cli: Any, bare_repo: Path) -> Path:
    result = cli(
        "apps", "init", "--repo", str(bare_repo), "--preview-domain", "previews.test.dev", "--json"
    )
    assert result.returncode == 0, result.stderr
    assert result.json()["changed"] is True
    return bare_repo


def test_init_lays_out_the_apps_repository(apps_remote: Path, clone_remote: Any) -> None:
    tree = clone_remote(apps_remote)
    for path in [
        "wildside.yaml",
        "base/kustomization.yaml",
        "base/helmrelease.yaml",
        "base/helmrepository.yaml",
        "overlays/production/kustomization.yaml",
        "overlays/staging/kustomization.yaml",
        "overlays/ephemeral/kustomization.yaml",
    ]:
        assert (tree / path).is_file(), path


def test_init_twice_changes_nothing(cli: Any, apps_remote: Path) -> None:
    before = commit_count(apps_remote)
    result = cli(
        "apps",
        "init",
        "--repo",
        str(apps_remote),
        "--preview-domain",
        "previews.test.dev",
        "--json",
    )
    assert result.returncode == 0
    assert result.json()["changed"] is False
    assert commit_count(apps_remote) == before


def test_up_creates_the_preview_and_reports_it(
    cli: Any, apps_remote: Path, clone_remote: Any
) -> None:
    result = cli(
        "preview", "up", "--pr", "42", "--sha", SHA.upper(), "--repo", str(apps_remote), "--json"
    )
    assert result.returncode == 0, result.stderr
    payload = result.json()
    assert {"pr", "sha", "url", "namespace", "path", "commit", "changed"} <= payload.keys()
    assert payload["pr"] == 42
    assert payload["sha"] == SHA
    assert payload["url"] == "https://pr-42.previews.test.dev"
    assert payload["namespace"] == "wildside-pr-42"
    assert payload["path"] == "overlays/ephemeral/pr-42"
    assert payload["changed"] is True
    tree = clone_remote(apps_remote)
    head = subprocess.run(
        ["git", "-C", str(tree), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    )
    assert payload["commit"] == head.stdout.strip()
    overlay = tree / "overlays/ephemeral/pr-42"
    assert {p.name for p in overlay.iterdir()} >= {
        "kustomization.yaml",
        "patch-helmrelease-values.yaml",
        "flux-kustomization.yaml",
    }
    index = yaml.safe_load((tree / "overlays/ephemeral/kustomization.yaml").read_text())
    assert index["resources"] == ["pr-42/flux-kustomization.yaml"]


def test_up_is_idempotent(cli: Any, apps_remote: Path) -> None:
    first = cli("preview", "up", "--pr", "7", "--sha", SHA, "--repo", str(apps_remote), "--json")
    count = commit_count(apps_remote)
    second = cli("preview", "up", "--pr", "7", "--sha", SHA, "--repo", str(apps_remote), "--json")
    assert second.returncode == 0
    assert second.json()["changed"] is False
    assert second.json()["commit"] == first.json()["commit"]
    assert commit_count(apps_remote) == count


def test_a_new_sha_updates_the_preview_and_keeps_its_creation_time(
    cli: Any, apps_remote: Path
) -> None:
    first = cli(
        "preview", "up", "--pr", "7", "--sha", SHA, "--repo", str(apps_remote), "--json"
    ).json()
    second = cli(
        "preview", "up", "--pr", "7", "--sha", SHA2, "--repo", str(apps_remote), "--json"
    ).json()
    assert second["changed"] is True
    assert second["sha"] == SHA2
    assert second["created_at"] == first["created_at"]
    assert second["updated_at"] >= first["updated_at"]


def test_down_removes_the_overlay_and_its_reference(
    cli: Any, apps_remote: Path, clone_remote: Any
) -> None:
    cli("preview", "up", "--pr", "5", "--sha", SHA, "--repo", str(apps_remote))
    cli("preview", "up", "--pr", "6", "--sha", SHA, "--repo", str(apps_remote))
    result = cli("preview", "down", "--pr", "5", "--repo", str(apps_remote), "--json")
    assert result.returncode == 0, result.stderr
    assert result.json()["changed"] is True
    tree = clone_remote(apps_remote)
    # Only the tombstone stays (kustomize never reads it: the index does not list it).
    assert sorted(p.name for p in (tree / "overlays/ephemeral/pr-5").iterdir()) == [
        "tombstone.yaml"
    ]
    index = yaml.safe_load((tree / "overlays/ephemeral/kustomization.yaml").read_text())
    assert index["resources"] == ["pr-6/flux-kustomization.yaml"]


def test_down_of_an_absent_preview_records_a_tombstone_once(cli: Any, apps_remote: Path) -> None:
    count = commit_count(apps_remote)
    first = cli("preview", "down", "--pr", "999", "--repo", str(apps_remote), "--json")
    assert first.returncode == 0
    assert first.json()["removed"] is False
    # The teardown may land before the first deploy does: the tombstone keeps it out.
    assert first.json()["changed"] is True
    again = cli("preview", "down", "--pr", "999", "--repo", str(apps_remote), "--json")
    assert again.returncode == 0
    assert again.json()["changed"] is False
    assert commit_count(apps_remote) == count + 1


def test_list_shows_each_preview(cli: Any, apps_remote: Path) -> None:
    cli("preview", "up", "--pr", "12", "--sha", SHA, "--repo", str(apps_remote))
    cli("preview", "up", "--pr", "3", "--sha", SHA2[:7], "--repo", str(apps_remote), "--pin")
    listing = cli("preview", "list", "--repo", str(apps_remote), "--json")
    assert listing.returncode == 0
    rows = listing.json()
    assert [row["pr"] for row in rows] == [3, 12]
    assert rows[0]["sha"] == SHA2[:7]
    assert rows[0]["pinned"] is True
    assert rows[1]["url"] == "https://pr-12.previews.test.dev"
    assert all(row["age_seconds"] >= 0 for row in rows)
    human = cli("preview", "list", "--repo", str(apps_remote))
    assert "https://pr-12.previews.test.dev" in human.stdout


def test_lifecycle_labels_are_written(cli: Any, apps_remote: Path, clone_remote: Any) -> None:
    cli("preview", "up", "--pr", "9", "--sha", SHA, "--repo", str(apps_remote), "--ttl", "48h")
    tree = clone_remote(apps_remote)
    flux = yaml.safe_load((tree / "overlays/ephemeral/pr-9/flux-kustomization.yaml").read_text())
    labels = flux["metadata"]["labels"]
    for key in ("created-at", "updated-at", "expires-at", "pinned", "pr", "sha"):
        assert f"previews.wildside.dev/{key}" in labels
    assert labels["previews.wildside.dev/pinned"] == "false"
    assert flux["metadata"]["annotations"]["previews.wildside.dev/ttl"] == "2d"


def test_embedded_default_needs_no_setup(cli: Any, tmp_path: Path) -> None:
    workdir = tmp_path / "newcomer"
    workdir.mkdir()
    result = cli("preview", "up", "--pr", "1", "--sha", SHA[:7], "--json", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert result.json()["url"] == "https://pr-1.previews.example.com"
    assert (workdir / ".wildside" / "apps.git" / "HEAD").is_file()
    listing = cli("preview", "list", "--json", cwd=workdir)
    assert [row["pr"] for row in listing.json()] == [1]


def test_repository_from_the_environment(cli: Any, apps_remote: Path) -> None:
    result = cli(
        "preview",
        "up",
        "--pr",
        "2",
        "--sha",
        SHA,
        "--json",
        env={"WILDSIDE_APPS_REPO": str(apps_remote)},
    )
    assert result.returncode == 0, result.stderr
    assert result.json()["repo"] == str(apps_remote)


def test_an_uninitialised_remote_is_refused_with_the_fix(cli: Any, bare_repo: Path) -> None:
    result = cli("preview", "up", "--pr", "2", "--sha", SHA, "--repo", str(bare_repo))
    assert result.returncode == 2
    assert "wildside apps init" in result.stderr
    assert commit_count(bare_repo) == 0


def test_push_to_another_branch(cli: Any, apps_remote: Path) -> None:
    result = cli(
        "preview",
        "up",
        "--pr",
        "4",
        "--sha",
        SHA,
        "--repo",
        str(apps_remote),
        "--branch",
        "previews",
        "--json",
    )
    # a branch that does not exist yet has no wildside.yaml: the repository must be initialised on it
    assert result.returncode == 2
    init = cli("apps", "init", "--repo", str(apps_remote), "--branch", "previews")
    assert init.returncode == 0
    result = cli(
        "preview",
        "up",
        "--pr",
        "4",
        "--sha",
        SHA,
        "--repo",
        str(apps_remote),
        "--branch",
        "previews",
        "--json",
    )
    assert result.returncode == 0
    assert result.json()["branch"] == "previews"


BAD_INPUTS = [
    (["--pr", "0", "--sha", SHA], "--pr"),
    (["--pr", "abc", "--sha", SHA], "--pr"),
    (["--pr", "1", "--sha", "xyz"], "--sha"),
    (["--pr", "1", "--sha", "abc1234\nkind: Secret"], "--sha"),
    (["--pr", "1", "--sha", SHA, "--preview-domain", "bad_domain"], "--preview-domain"),
    (["--pr", "1", "--sha", SHA, "--preview-domain", "x.com\n  evil: true"], "--preview-domain"),
    (["--pr", "1", "--sha", SHA, "--image", "backend=Bad Image"], "--image"),
    (["--pr", "1", "--sha", SHA, "--image", "ghcr.io/a/b"], "--image"),
    (["--pr", "1", "--sha", SHA, "--ttl", "forever"], "--ttl"),
]


@pytest.mark.parametrize(("arguments", "named"), BAD_INPUTS)
def test_bad_input_is_refused_before_anything_is_written(
    cli: Any, apps_remote: Path, arguments: list[str], named: str
) -> None:
    count = commit_count(apps_remote)
    result = cli("preview", "up", *arguments, "--repo", str(apps_remote))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert commit_count(apps_remote) == count


def test_bad_pr_on_down_is_refused(cli: Any, apps_remote: Path) -> None:
    result = cli("preview", "down", "--pr", "-3", "--repo", str(apps_remote))
    assert result.returncode == 2


def test_missing_repository_path_is_bad_input(cli: Any, tmp_path: Path) -> None:
    result = cli("preview", "list", "--repo", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_unreachable_remote_is_an_operational_failure(cli: Any) -> None:
    result = cli("preview", "list", "--repo", "file:///nonexistent/remote.git")
    assert result.returncode == 1
    assert result.stderr.startswith("wildside: error:")


def test_every_command_has_help(cli: Any) -> None:
    for command in (["apps", "init"], ["preview", "up"], ["preview", "down"], ["preview", "list"]):
        result = cli(*command, "--help")
        assert result.returncode == 0
        assert "--json" in result.stdout
