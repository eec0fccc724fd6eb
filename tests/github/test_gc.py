"""`wildside preview gc` and `preview up --max-previews` against a local bare
apps repository and the local GitHub stand-in: closed and expired previews go,
pinned ones stay, and a failing or suspicious API deletes nothing."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from wildside.core import clock
from wildside.gitops import location as locations
from wildside.previews import repository as apps
from wildside.previews import service
from wildside.previews.config import AppsConfig
from wildside.previews.model import PreviewRequest

from conftest import commit_count
from support import kustomize
from support.github_server import FakeGitHub

SHA = "c" * 40


def seed(
    bare: Path, *prs: int, pinned: tuple[int, ...] = (), expired: tuple[int, ...] = ()
) -> None:
    location = locations.resolve(
        str(bare), None, env_variable=apps.ENV_VARIABLE, default_dir=apps.DEFAULT_DIR
    )
    apps.init(location, AppsConfig())
    now = clock.utc_now()
    for pr in prs:
        when = now - timedelta(hours=3) if pr in expired else now
        request = PreviewRequest(
            pr=pr,
            sha=SHA,
            ttl=timedelta(hours=1) if pr in expired else None,
            pinned=pr in pinned,
        )
        service.up(location, request, when)


def previews(bare: Path) -> list[int]:
    listing = subprocess.run(
        [
            "git",
            "--git-dir",
            str(bare),
            "ls-tree",
            "-r",
            "--name-only",
            "main",
            "overlays/ephemeral/",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # A removed preview leaves only its tombstone.yaml behind.
    return sorted(
        int(p.split("/")[2].rsplit("-", 1)[1])
        for p in listing
        if p.endswith("/flux-kustomization.yaml") and "/pr-" in p
    )


def gc(cli: Any, github: FakeGitHub, bare: Path, *args: str) -> Any:
    return cli("preview", "gc", "--repo", str(bare), "--json", "-q", *args, env=github.env())


def test_gc_removes_closed_and_expired_keeps_pinned_and_open(
    cli: Any, github: FakeGitHub, bare_repo: Path, clone_remote: Any
) -> None:
    seed(bare_repo, 1, 2, 3, 4, 5, pinned=(4,), expired=(5,))
    github.pulls = {1: "open", 2: "open", 3: "closed", 4: "closed", 5: "open"}
    before = commit_count(bare_repo)

    plan = gc(cli, github, bare_repo, "--dry-run")
    assert plan.returncode == 0, plan.stderr
    # oldest first: pr-5 was last deployed three hours ago
    assert plan.json()["remove"] == [{"pr": 5, "reason": "expired"}, {"pr": 3, "reason": "closed"}]
    assert plan.json()["kept_pinned"] == [4]
    assert commit_count(bare_repo) == before

    result = gc(cli, github, bare_repo)
    assert result.returncode == 0, result.stderr
    assert result.json()["changed"] is True
    assert commit_count(bare_repo) == before + 1
    assert previews(bare_repo) == [1, 2, 4]
    # only the closed candidate is double-checked, one request each
    assert "GET /repos/acme/wildside/pulls/3" in github.calls()
    assert "GET /repos/acme/wildside/pulls/5" not in github.calls()

    clone = clone_remote(bare_repo)
    built = kustomize.build(clone / "overlays" / "ephemeral")
    names = {doc["metadata"]["name"] for doc in built if doc["kind"] == "Kustomization"}
    assert names == {"wildside-pr-1", "wildside-pr-2", "wildside-pr-4"}

    again = gc(cli, github, bare_repo)
    assert again.returncode == 0 and again.json()["remove"] == []
    assert commit_count(bare_repo) == before + 1


@pytest.mark.parametrize(
    ("failure", "why"),
    [
        ({"status": 500, "times": 100}, "could not list open pull requests"),
        ({"status": 403, "headers": {"Retry-After": "3600"}}, "could not list open pull requests"),
        ({"status": 200, "body": {"message": "not a list"}}, "could not list open pull requests"),
    ],
)
def test_an_api_failure_deletes_nothing(
    cli: Any, github: FakeGitHub, bare_repo: Path, failure: dict[str, Any], why: str
) -> None:
    seed(bare_repo, 1, 2)
    before = commit_count(bare_repo)
    github.fail("GET", r"/pulls$", **failure)
    result = cli(
        "preview",
        "gc",
        "--repo",
        str(bare_repo),
        "-q",
        env=github.env() | {"WILDSIDE_GITHUB_MAX_SLEEP": "2"},
    )
    assert result.returncode == 1
    assert f"preview gc refused: {why}" in result.stderr
    assert "nothing deleted" in result.stderr
    assert commit_count(bare_repo) == before
    assert previews(bare_repo) == [1, 2]


def test_an_empty_answer_deletes_nothing_unless_allowed(
    cli: Any, github: FakeGitHub, bare_repo: Path
) -> None:
    seed(bare_repo, 1, 2)
    before = commit_count(bare_repo)
    github.pulls = {1: "closed", 2: "closed"}
    github.pulls_override = []
    refused = gc(cli, github, bare_repo, "--max-fraction", "1")
    assert refused.returncode == 1
    assert "no open pull requests" in refused.stderr
    assert refused.json()["refused"]
    assert commit_count(bare_repo) == before and previews(bare_repo) == [1, 2]

    allowed = gc(cli, github, bare_repo, "--max-fraction", "1", "--allow-empty")
    assert allowed.returncode == 0, allowed.stderr
    assert previews(bare_repo) == []


def test_a_partial_list_beyond_the_bound_deletes_nothing(
    cli: Any, github: FakeGitHub, bare_repo: Path
) -> None:
    seed(bare_repo, *range(1, 7))
    before = commit_count(bare_repo)
    github.pulls = dict.fromkeys(range(1, 7), "open")
    github.pulls_override = [{"number": 1, "state": "open"}]
    result = gc(cli, github, bare_repo)
    assert result.returncode == 1
    assert "#2 is missing from the open list but GitHub says it is 'open'" in result.stderr
    assert commit_count(bare_repo) == before and previews(bare_repo) == list(range(1, 7))

    capped = gc(cli, github, bare_repo, "--max-fraction", "1", "--max-deletions", "2")
    assert capped.returncode == 1 and "the list is partial" in capped.stderr
    assert previews(bare_repo) == list(range(1, 7))


def seed_aged(bare: Path, *prs: int) -> None:
    """Previews deployed an hour apart: the first listed is the oldest."""
    location = locations.resolve(
        str(bare), None, env_variable=apps.ENV_VARIABLE, default_dir=apps.DEFAULT_DIR
    )
    apps.init(location, AppsConfig())
    start = clock.utc_now() - timedelta(hours=len(prs))
    for index, pr in enumerate(prs):
        service.up(location, PreviewRequest(pr=pr, sha=SHA), start + timedelta(hours=index))


def test_a_burst_of_confirmed_closures_drains_oldest_first_within_the_bound(
    cli: Any, github: FakeGitHub, bare_repo: Path
) -> None:
    seed_aged(bare_repo, 6, 5, 4, 3, 2, 1)  # pr-6 is the oldest
    github.pulls = {1: "open", 2: "closed", 3: "closed", 4: "closed", 5: "closed", 6: "closed"}
    first = gc(cli, github, bare_repo)
    assert first.returncode == 0, first.stderr
    # 5 of 6 are due; half of 6 may go in one run: the three oldest
    assert [item["pr"] for item in first.json()["remove"]] == [6, 5, 4]
    assert first.json()["deferred"] == [3, 2]
    assert previews(bare_repo) == [1, 2, 3]
    second = gc(cli, github, bare_repo)  # 2 of 3 due, one may go
    assert [item["pr"] for item in second.json()["remove"]] == [3]
    third = gc(cli, github, bare_repo)  # 1 of 2: exactly half
    assert [item["pr"] for item in third.json()["remove"]] == [2]
    assert previews(bare_repo) == [1]


def test_more_than_half_never_goes_in_one_run_and_zero_means_none(
    cli: Any, github: FakeGitHub, bare_repo: Path
) -> None:
    seed_aged(bare_repo, 1, 2, 3)
    github.pulls = {1: "closed", 2: "closed", 3: "open"}
    none = gc(cli, github, bare_repo, "--max-deletions", "0")
    assert none.returncode == 0, none.stderr
    assert none.json()["remove"] == [] and none.json()["deferred"] == [1, 2]
    assert previews(bare_repo) == [1, 2, 3]
    result = gc(cli, github, bare_repo)
    assert [item["pr"] for item in result.json()["remove"]] == [1], "2 of 3 is 67 %"
    assert previews(bare_repo) == [2, 3]


def test_a_pull_request_github_does_not_know_never_blocks_the_others(
    cli: Any, github: FakeGitHub, bare_repo: Path
) -> None:
    seed_aged(bare_repo, 1, 2, 3, 4)
    github.pulls = {1: "closed", 3: "open", 4: "open"}  # #2 answers 404
    result = gc(cli, github, bare_repo)
    assert result.returncode == 0, result.stderr
    assert [item["pr"] for item in result.json()["remove"]] == [1]
    assert result.json()["unconfirmed"] == [2]
    assert previews(bare_repo) == [2, 3, 4]


def test_each_removal_is_reported_on_its_pull_request(
    cli: Any, github: FakeGitHub, bare_repo: Path
) -> None:
    seed_aged(bare_repo, 3, 4)
    deploying = cli(
        "github",
        "report",
        "--pr",
        "3",
        "--status",
        "deploying",
        "--sha",
        SHA,
        "--url",
        "https://pr-3.previews.example.com",
        env=github.env(),
    )
    assert deploying.returncode == 0, deploying.stderr
    github.pulls = {3: "closed", 4: "open"}
    result = gc(cli, github, bare_repo)
    assert result.returncode == 0, result.stderr
    assert result.json()["reported"] == [3]
    (deployment,) = github.deployments
    assert github.statuses[deployment["id"]][-1]["state"] == "inactive"
    body = github.comments[3][0]["body"]
    assert "Preview removed" in body and "removed by preview gc" in body
    assert 4 not in github.comments

    # a refused comment or deployment is a warning, not a failed gc
    seed_more = gc(cli, github, bare_repo)
    assert seed_more.returncode == 0


def test_a_partial_list_within_the_bound_is_caught_by_the_confirmation(
    cli: Any, github: FakeGitHub, bare_repo: Path
) -> None:
    seed(bare_repo, 1, 2, 3)
    github.pulls = {1: "open", 2: "open", 3: "open"}
    github.pulls_override = [{"number": 1, "state": "open"}, {"number": 3, "state": "open"}]
    result = gc(cli, github, bare_repo)
    assert result.returncode == 1
    assert "#2 is missing from the open list but GitHub says it is 'open'" in result.stderr
    assert previews(bare_repo) == [1, 2, 3]


def test_gc_needs_a_token_and_sane_bounds(cli: Any, github: FakeGitHub, bare_repo: Path) -> None:
    no_token = cli(
        "preview", "gc", "--repo", str(bare_repo), env=github.env() | {"GITHUB_TOKEN": ""}
    )
    assert no_token.returncode == 2
    fraction = gc(cli, github, bare_repo, "--max-fraction", "0")
    assert fraction.returncode == 2 and "--max-fraction" in fraction.stderr
    assert github.requests == []


def test_max_previews_refuses_a_new_preview_but_updates_existing_ones(
    cli: Any, bare_repo: Path
) -> None:
    seed(bare_repo, 1, 2)
    before = commit_count(bare_repo)

    def up(pr: str, sha: str) -> Any:
        return cli(
            "preview",
            "up",
            "--pr",
            pr,
            "--sha",
            sha,
            "--max-previews",
            "2",
            "--repo",
            str(bare_repo),
            "--json",
            "-q",
        )

    refused = up("3", SHA)
    assert refused.returncode == 1
    assert refused.stderr.startswith("wildside: error: preview cap reached: 2 previews exist")
    assert commit_count(bare_repo) == before

    updated = up("2", "d" * 40)
    assert updated.returncode == 0, updated.stderr
    assert previews(bare_repo) == [1, 2]
    bad = (
        up("3", SHA).returncode,
        cli(
            "preview",
            "up",
            "--pr",
            "3",
            "--sha",
            SHA,
            "--max-previews",
            "0",
            "--repo",
            str(bare_repo),
        ).returncode,
    )
    assert bad == (1, 2)
