"""The preview record is the source of truth (options persist until changed),
teardown wins and newer wins, `down` names what it leaves behind, names fit,
`--image` components exist, and `apps init` fixes a fresh bare HEAD. Against
local bare remotes, the CLI run as a process, a local fake GitHub."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import commit_count
from support.github_server import FakeGitHub
from support.tools import require_tool

SHA_A = "a" * 40
SHA_B = "b" * 40
SHA_C = "c" * 40


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    server = FakeGitHub().start()
    yield server
    server.stop()


@pytest.fixture
def remote(cli: Any, bare_repo: Path) -> Path:
    assert cli("apps", "init", "--repo", str(bare_repo), "-q").returncode == 0
    return bare_repo


def up(cli: Any, remote: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return cli("preview", "up", "--repo", str(remote), "--json", "-q", *args, env=env)


def overlay_files(clone_remote: Any, remote: Path, pr: int) -> dict[str, str]:
    directory = clone_remote(remote) / "overlays" / "ephemeral" / f"pr-{pr}"
    return (
        {p.name: p.read_text() for p in sorted(directory.iterdir())} if directory.is_dir() else {}
    )


def test_every_option_persists_and_a_sha_only_rerun_changes_only_the_sha(
    cli: Any, remote: Path, clone_remote: Any
) -> None:
    first = up(
        cli, remote, "--pr", "7", "--sha", SHA_A, "--database", "--ttl", "72h", "--pin",
        "--image", "backend=ghcr.io/acme/backend-fork",
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    before = overlay_files(clone_remote, remote, 7)
    assert "database.yaml" in before

    second = up(cli, remote, "--pr", "7", "--sha", SHA_B)
    assert second.returncode == 0, second.stderr
    options = second.json()["options"]
    assert options == {
        "images": {"backend": "ghcr.io/acme/backend-fork"},
        "ttl": "3d",
        "pinned": True,
        "database": True,
        "secrets": False,
        "preview_domain": None,
        "values": {},
    }
    after = overlay_files(clone_remote, remote, 7)
    assert after.keys() == before.keys()  # the database is still there
    record = yaml.safe_load(after["preview.yaml"])
    old = yaml.safe_load(before["preview.yaml"])
    changed = {key for key in record if record[key] != old[key]}
    # updatedAt (and expiresAt with it) has one-second resolution: two runs in
    # the same second leave it as it was.
    assert {"sha", "history"} <= changed <= {"sha", "updatedAt", "expiresAt", "history"}
    assert record["history"] == [SHA_A]
    values = yaml.safe_load(after["patch-helmrelease-values.yaml"])["spec"]["values"]
    assert values["backend"]["image"] == {"repository": "ghcr.io/acme/backend-fork", "tag": SHA_B}
    assert values["database"]["existingSecret"] == "wildside-database"
    # The role Job (an immutable pod template) is byte-identical across the ups.
    assert after["database.yaml"] == before["database.yaml"]


def test_options_change_only_explicitly(cli: Any, remote: Path, clone_remote: Any) -> None:
    assert up(cli, remote, "--pr", "8", "--sha", SHA_A, "--database", "--pin").returncode == 0
    changed = up(
        cli, remote, "--pr", "8", "--sha", SHA_A, "--no-database", "--unpin", "--default-images"
    )
    assert changed.returncode == 0, changed.stderr
    assert changed.json()["options"]["database"] is False
    assert changed.json()["pinned"] is False
    files = overlay_files(clone_remote, remote, 8)
    assert "database.yaml" not in files
    values = yaml.safe_load(files["patch-helmrelease-values.yaml"])["spec"]["values"]
    assert values["database"]["existingSecret"] == ""


def test_an_unknown_image_component_is_refused_with_the_known_ones(cli: Any, remote: Path) -> None:
    count = commit_count(remote)
    result = up(cli, remote, "--pr", "9", "--sha", SHA_A, "--image", "nosuch=ghcr.io/x/y")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "nosuch" in lines[0] and "backend, frontend" in lines[0]
    assert commit_count(remote) == count


def test_teardown_wins_until_reopened(cli: Any, remote: Path, clone_remote: Any) -> None:
    assert up(cli, remote, "--pr", "10", "--sha", SHA_A).returncode == 0
    down = cli("preview", "down", "--repo", str(remote), "--pr", "10", "--json")
    assert down.returncode == 0, down.stderr
    tombstone = yaml.safe_load(overlay_files(clone_remote, remote, 10)["tombstone.yaml"])
    assert tombstone["pr"] == 10 and tombstone["sha"] == SHA_A and tombstone["closedAt"]

    count = commit_count(remote)
    late = up(cli, remote, "--pr", "10", "--sha", SHA_A)
    assert late.returncode == 0, late.stderr
    assert late.json()["changed"] is False
    assert "torn down" in late.json()["skipped"]
    assert commit_count(remote) == count

    reopened = up(cli, remote, "--pr", "10", "--sha", SHA_B, "--reopen")
    assert reopened.returncode == 0 and reopened.json()["changed"] is True
    assert "tombstone.yaml" not in overlay_files(clone_remote, remote, 10)


def test_an_older_sha_writes_nothing(cli: Any, remote: Path) -> None:
    assert up(cli, remote, "--pr", "11", "--sha", SHA_A).returncode == 0
    assert up(cli, remote, "--pr", "11", "--sha", SHA_B).returncode == 0
    count = commit_count(remote)
    rerun = up(cli, remote, "--pr", "11", "--sha", SHA_A)  # an old workflow run re-run
    assert rerun.returncode == 0
    assert rerun.json()["changed"] is False
    assert "older than the deployed" in rerun.json()["skipped"]
    assert rerun.json()["sha"] == SHA_B  # the deployed one, unchanged
    assert commit_count(remote) == count


def test_only_if_open_asks_github_for_state_and_head(
    cli: Any, remote: Path, github: FakeGitHub
) -> None:
    env = github.env()
    github.pulls = {12: "open"}
    github.heads = {12: SHA_B}
    count = commit_count(remote)
    stale = up(cli, remote, "--pr", "12", "--sha", SHA_A, "--only-if-open", env=env)
    assert stale.returncode == 0, stale.stderr
    assert "not the head" in stale.json()["skipped"]
    assert commit_count(remote) == count

    current = up(cli, remote, "--pr", "12", "--sha", SHA_B, "--only-if-open", env=env)
    assert current.returncode == 0 and current.json()["changed"] is True

    assert cli("preview", "down", "--repo", str(remote), "--pr", "12", "-q").returncode == 0
    github.pulls = {12: "closed"}
    closed = up(cli, remote, "--pr", "12", "--sha", SHA_B, "--only-if-open", env=env)
    assert "closed" in closed.json()["skipped"]

    github.pulls = {12: "open"}  # reopened: GitHub's word beats the tombstone
    github.heads = {12: SHA_C}
    back = up(cli, remote, "--pr", "12", "--sha", SHA_C, "--only-if-open", env=env)
    assert back.returncode == 0, back.stderr
    assert back.json()["changed"] is True


def test_a_teardown_landing_during_the_loop_wins(remote: Path, tmp_path: Path) -> None:
    """GitHub is asked on every attempt right before the push: a teardown that
    lands after the first answer rejects that push, and the retry sees the
    tombstone and a closed pull request."""
    from wildside.core import clock
    from wildside.gitops import location as locations
    from wildside.previews import service
    from wildside.previews.admission import PullRequestState
    from wildside.previews.model import PreviewRequest

    location = locations.resolve(
        str(remote), None, env_variable="WILDSIDE_APPS_REPO", default_dir="apps.git"
    )
    wildside = require_tool("wildside")
    answers: list[str] = []
    other_cache = tmp_path / "other-cache"

    def check(pr: int) -> PullRequestState:
        if not answers:
            # The close workflow runs now, in its own process and checkout.
            subprocess.run(
                [wildside, "preview", "down", "--repo", str(remote), "--pr", str(pr), "-q"],
                env={**os.environ, "WILDSIDE_CACHE_DIR": str(other_cache)},
                check=True,
            )
            answers.append("open")
            return PullRequestState("open", SHA_A)
        answers.append("closed")
        return PullRequestState("closed", SHA_A)

    outcome = service.up(
        location, PreviewRequest(pr=13, sha=SHA_A), clock.utc_now(), pull_check=check
    )
    assert answers == ["open", "closed"]
    assert outcome.changed is False
    assert outcome.value.skipped is not None and "closed" in outcome.value.skipped
    listing = subprocess.run(
        ["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", "main",
         "overlays/ephemeral/pr-13"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert listing == ["overlays/ephemeral/pr-13/tombstone.yaml"]


def test_down_names_what_it_leaves_behind(cli: Any, remote: Path) -> None:
    assert up(cli, remote, "--pr", "14", "--sha", SHA_A, "--database").returncode == 0
    down = cli("preview", "down", "--repo", str(remote), "--pr", "14", env={"VAULT_ADDR": ""})
    assert down.returncode == 0, down.stderr
    assert "vault:wildside/previews/wildside/pr-14" in down.stdout
    assert "postgres-role:preview_wildside_pr_14" in down.stdout
    assert "preview gc" in down.stdout


@pytest.mark.parametrize(("length", "accepted"), [(43, True), (44, False)])
def test_apps_init_refuses_an_app_whose_names_cannot_fit(
    cli: Any, bare_repo: Path, length: int, accepted: bool
) -> None:
    name = "a" * length
    result = cli("apps", "init", "--repo", str(bare_repo), "--app", name, "-q")
    if accepted:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 2
    assert "at most 43 characters" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert commit_count(bare_repo) == 0


def test_apps_init_points_a_fresh_bare_head_at_the_pushed_branch(cli: Any, tmp_path: Path) -> None:
    bare = tmp_path / "fresh.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "master", str(bare)], check=True)
    assert cli("apps", "init", "--repo", str(bare), "-q").returncode == 0
    head = subprocess.run(
        ["git", "--git-dir", str(bare), "symbolic-ref", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert head == "refs/heads/main"
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(bare), str(checkout)], check=True)
    assert (checkout / "wildside.yaml").is_file()


def test_extra_values_persist_with_placeholders_until_dropped(
    cli: Any, remote: Path, clone_remote: Any, tmp_path: Path
) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text("backend:\n  replicas: 2\npreview:\n  banner: PR << pr >> at << sha >>\n")
    first = up(cli, remote, "--pr", "15", "--sha", SHA_A, "--values", str(extra))
    assert first.returncode == 0, first.stderr
    second = up(cli, remote, "--pr", "15", "--sha", SHA_B)
    assert second.returncode == 0, second.stderr
    files = overlay_files(clone_remote, remote, 15)
    values = yaml.safe_load(files["patch-helmrelease-values.yaml"])["spec"]["values"]
    assert values["backend"]["replicas"] == 2
    assert values["backend"]["image"]["tag"] == SHA_B  # merged over the template, not instead
    assert values["preview"] == {"enabled": True, "pr": 15, "banner": f"PR 15 at {SHA_B}"}

    dropped = up(cli, remote, "--pr", "15", "--sha", SHA_B, "--no-values")
    assert dropped.returncode == 0 and dropped.json()["options"]["values"] == {}

    bad = tmp_path / "bad.yaml"
    bad.write_text("backend:\n  tag: << images.backend.tga >>\n")
    count = commit_count(remote)
    refused = up(cli, remote, "--pr", "15", "--sha", SHA_C, "--values", str(bad))
    assert refused.returncode == 2
    assert "images.backend.tga" in refused.stderr
    assert commit_count(remote) == count


def test_gc_removes_git_orphans_of_both_kinds(tmp_path: Path) -> None:
    import shutil
    from datetime import timedelta

    from wildside.core import clock
    from wildside.gitops.location import RepoLocation
    from wildside.previews import gc, index, service
    from wildside.previews import repository as apps
    from wildside.previews.config import AppsConfig
    from wildside.previews.model import PreviewRequest

    from support import kustomize

    now = clock.utc_now()
    location = RepoLocation(url="file:///unused", branch="main")
    apps.apply_layout(tmp_path, AppsConfig())
    for pr in (1, 2, 3):
        service.apply_up(tmp_path, location, PreviewRequest(pr=pr, sha=SHA_A), now)
    index.update(tmp_path, remove=2)  # an overlay the index no longer lists
    shutil.rmtree(tmp_path / "overlays/ephemeral/pr-3")  # an entry without its overlay
    assert gc.git_orphans(tmp_path) == ([2], [3])

    settled = gc.settle_tombstones(tmp_path, {}, now, timedelta(days=30))
    assert (settled.orphan_directories, settled.orphan_entries) == ([2], [3])
    assert gc.git_orphans(tmp_path) == ([], [])
    assert [p.name for p in (tmp_path / "overlays/ephemeral/pr-2").iterdir()] == ["tombstone.yaml"]
    kinds = [o["kind"] for o in kustomize.build(tmp_path / "overlays/ephemeral")]
    assert kinds == ["Kustomization"]  # only pr-1 is left, and the index builds again


def test_a_preview_from_before_the_record_keeps_its_add_ons(tmp_path: Path) -> None:
    """Written before preview.yaml existed: its files say which add-ons it has."""
    from wildside.core import clock
    from wildside.databases import declarative
    from wildside.gitops.location import RepoLocation
    from wildside.previews import repository as apps
    from wildside.previews import service
    from wildside.previews.config import AppsConfig
    from wildside.previews.model import PreviewRequest
    from wildside.vault import preview_overlay

    now = clock.utc_now()
    location = RepoLocation(url="file:///unused", branch="main")
    addons = service.AddOns(secrets=preview_overlay.overlay, database=declarative.overlay)
    apps.apply_layout(tmp_path, AppsConfig())
    first = PreviewRequest(pr=4, sha=SHA_A, database=True, secrets=True)
    service.apply_up(tmp_path, location, first, now, addons=addons)
    overlay = tmp_path / "overlays/ephemeral/pr-4"
    (overlay / "preview.yaml").unlink()
    record = service.read_record(tmp_path, 4)
    assert record is not None
    assert (record.options.database, record.options.secrets) == (True, True)
    service.apply_up(tmp_path, location, PreviewRequest(pr=4, sha=SHA_B), now, addons=addons)
    assert {"database.yaml", "external-secret.yaml", "preview.yaml"} <= {
        p.name for p in overlay.iterdir()
    }


def test_a_refused_up_prepares_no_add_on(cli: Any, remote: Path) -> None:
    assert cli("preview", "down", "--repo", str(remote), "--pr", "16", "-q").returncode == 0
    late = cli(
        "preview", "up", "--repo", str(remote), "--pr", "16", "--sha", SHA_A, "--database",
        "--json", env={"VAULT_ADDR": ""},
    )  # fmt: skip
    assert late.returncode == 0, late.stderr
    assert "torn down" in late.json()["skipped"]
    assert "VAULT_ADDR" not in late.stderr  # the database add-on never prepared
    assert late.json()["database"] == {"enabled": True, "credentials": None}


def test_apps_init_refuses_a_preview_domain_whose_hosts_cannot_fit(
    cli: Any, bare_repo: Path
) -> None:
    domain = ".".join(["d" * 60] * 4)[:244].rstrip(".") + ".com"
    result = cli("apps", "init", "--repo", str(bare_repo), "--preview-domain", domain)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "at most 241 characters" in result.stderr  # pr-99999999. fits in 253
    assert commit_count(bare_repo) == 0


def test_reset_options_returns_every_option_to_the_defaults(
    cli: Any, remote: Path, clone_remote: Any, tmp_path: Path
) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text("backend:\n  replicas: 2\n")
    first = up(
        cli, remote, "--pr", "17", "--sha", SHA_A, "--database", "--ttl", "72h", "--pin",
        "--image", "backend=ghcr.io/acme/backend-fork", "--preview-domain", "pr.acme.dev",
        "--values", str(extra),
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    reset = up(cli, remote, "--pr", "17", "--sha", SHA_B, "--reset-options", "--pin")
    assert reset.returncode == 0, reset.stderr
    assert reset.json()["options"] == {
        "images": {},
        "ttl": None,
        "pinned": True,  # given again in the same run
        "database": False,
        "secrets": False,
        "preview_domain": None,
        "values": {},
    }
    assert reset.json()["url"] == "https://pr-17.previews.example.com"
    files = overlay_files(clone_remote, remote, 17)
    assert "database.yaml" not in files
    values = yaml.safe_load(files["patch-helmrelease-values.yaml"])["spec"]["values"]
    assert values["backend"]["image"]["repository"] != "ghcr.io/acme/backend-fork"
    assert "replicas" not in values["backend"]
    # Reset once; the next plain run keeps the defaults and changes nothing.
    count = commit_count(remote)
    again = up(cli, remote, "--pr", "17", "--sha", SHA_B)
    assert again.returncode == 0 and again.json()["changed"] is False
    assert commit_count(remote) == count


def test_down_warns_in_json_mode_about_what_it_leaves(cli: Any, remote: Path) -> None:
    assert up(cli, remote, "--pr", "18", "--sha", SHA_A, "--database").returncode == 0
    down = cli(
        "preview", "down", "--repo", str(remote), "--pr", "18", "--json", "-q",
        env={"VAULT_ADDR": ""},
    )  # fmt: skip
    assert down.returncode == 0, down.stderr
    left = ["vault:wildside/previews/wildside/pr-18", "postgres-role:preview_wildside_pr_18"]
    assert down.json()["left_behind"] == left
    (warning,) = down.stderr.strip().splitlines()
    assert warning.startswith("wildside: warning: ")
    assert all(item in warning for item in left) and "preview gc" in warning


def test_down_with_vault_but_no_credentials_is_refused_before_the_teardown(
    cli: Any, remote: Path
) -> None:
    assert up(cli, remote, "--pr", "19", "--sha", SHA_A).returncode == 0
    count = commit_count(remote)
    env = {"VAULT_ADDR": "http://127.0.0.1:9", "VAULT_TOKEN": "", "VAULT_ROLE_ID": ""}
    down = cli("preview", "down", "--repo", str(remote), "--pr", "19", env=env)
    assert down.returncode == 2
    (line,) = down.stderr.strip().splitlines()
    assert "VAULT_TOKEN" in line
    assert commit_count(remote) == count  # the preview is still there, its path too


def test_down_that_cannot_reach_vault_names_what_it_left_and_exits_1(
    cli: Any, remote: Path, clone_remote: Any
) -> None:
    import socket

    assert up(cli, remote, "--pr", "20", "--sha", SHA_A, "--database").returncode == 0
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = "hvs.down-test-token-4f1c"  # made up; it must not leak
    down = cli(
        "preview", "down", "--repo", str(remote), "--pr", "20", "--json", "-q",
        env={"VAULT_ADDR": f"http://127.0.0.1:{port}", "VAULT_TOKEN": token},
    )  # fmt: skip
    assert down.returncode == 1
    left = ["vault:wildside/previews/wildside/pr-20", "postgres-role:preview_wildside_pr_20"]
    assert down.json()["left_behind"] == left
    assert down.json()["removed"] is True  # the teardown itself was pushed
    (line,) = down.stderr.strip().splitlines()
    assert line.startswith("wildside: error: pr-20 is torn down, but cannot reach Vault")
    assert all(item in line for item in left)
    assert token not in down.stdout + down.stderr
    files = overlay_files(clone_remote, remote, 20)
    assert list(files) == ["tombstone.yaml"]
    assert yaml.safe_load(files["tombstone.yaml"])["leftBehind"] == left


def test_a_teardown_landing_during_the_loop_wins_without_github(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --only-if-open: the tombstone alone decides, on the tip of each
    attempt. A `down` pushed after the first attempt read its tip rejects
    that attempt's push, and the retry reads the tombstone."""
    from wildside.core import clock
    from wildside.gitops import location as locations
    from wildside.previews import admission, service
    from wildside.previews.model import PreviewRequest

    location = locations.resolve(
        str(remote), None, env_variable="WILDSIDE_APPS_REPO", default_dir="apps.git"
    )
    service.up(location, PreviewRequest(pr=23, sha=SHA_A), clock.utc_now())
    wildside = require_tool("wildside")
    decided = admission.refusal
    reasons: list[str | None] = []

    def refusal(*args: Any) -> str | None:
        if not reasons:  # the close workflow runs now, in its own process and checkout
            subprocess.run(
                [wildside, "preview", "down", "--repo", str(remote), "--pr", "23", "-q"],
                env={**os.environ, "WILDSIDE_CACHE_DIR": str(tmp_path / "other-cache")},
                check=True,
            )
        reasons.append(decided(*args))
        return reasons[-1]

    monkeypatch.setattr(admission, "refusal", refusal)
    outcome = service.up(location, PreviewRequest(pr=23, sha=SHA_B), clock.utc_now())
    assert reasons[0] is None  # the first attempt's tip had no tombstone yet
    assert reasons[-1] is not None and "torn down" in reasons[-1]
    assert outcome.changed is False and outcome.value.skipped == reasons[-1]
    listing = subprocess.run(
        ["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", "main",
         "overlays/ephemeral/pr-23"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert listing == ["overlays/ephemeral/pr-23/tombstone.yaml"]


def test_the_longest_app_and_pr_give_names_that_fit(tmp_path: Path) -> None:
    """What apps init allows (43 characters) with the largest PR number: every
    object the preview renders, add-ons included, has a name, namespace and
    label values Kubernetes accepts (63)."""
    from wildside.core import clock
    from wildside.databases import declarative
    from wildside.gitops.location import RepoLocation
    from wildside.previews import repository as apps
    from wildside.previews import service
    from wildside.previews.config import AppsConfig
    from wildside.previews.model import PreviewRequest
    from wildside.vault import preview_overlay

    from support import kustomize

    app = "a" * 42 + "z"
    apps.apply_layout(tmp_path, AppsConfig(app=app))
    addons = service.AddOns(secrets=preview_overlay.overlay, database=declarative.overlay)
    request = PreviewRequest(pr=99_999_999, sha=SHA_A, database=True, secrets=True)
    location = RepoLocation(url="file:///unused", branch="main")
    service.apply_up(tmp_path, location, request, clock.utc_now(), addons=addons)
    objects = kustomize.build(tmp_path / "overlays/ephemeral/pr-99999999")
    assert {"Job", "Database", "ExternalSecret", "Namespace"} <= {o["kind"] for o in objects}
    for obj in objects:
        metadata = obj["metadata"]
        assert len(metadata["name"]) <= 63, metadata["name"]
        assert len(metadata.get("namespace", "")) <= 63, metadata
        for value in (metadata.get("labels") or {}).values():
            assert len(str(value)) <= 63, (metadata["name"], value)
    (flux,) = kustomize.build(tmp_path / "overlays/ephemeral")
    assert len(flux["metadata"]["name"]) <= 63


def test_a_hand_edited_app_name_that_cannot_fit_is_refused_by_up(
    cli: Any, remote: Path, tmp_path: Path
) -> None:
    checkout = tmp_path / "edit"
    subprocess.run(["git", "clone", "-q", str(remote), str(checkout)], check=True)
    config = checkout / "wildside.yaml"
    document = yaml.safe_load(config.read_text())
    document["app"] = "a" * 51  # the example: namespace and Flux names over 63
    config.write_text(yaml.safe_dump(document))
    git = ["git", "-C", str(checkout), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "commit", "-qam", "long app name"], check=True)
    subprocess.run([*git, "push", "-q", "origin", "HEAD"], check=True)
    count = commit_count(remote)
    result = up(cli, remote, "--pr", "24", "--sha", SHA_A)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "at most 43 characters" in line
    assert commit_count(remote) == count
