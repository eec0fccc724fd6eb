"""Pull request feedback through the real CLI against the local GitHub
stand-in: one sticky comment created then updated, a deployment whose status
carries the URL, inactive on teardown, and the step summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wildside.github.comment import MARKER

from support.github_server import TOKEN, FakeGitHub

SHA1 = "a" * 40
SHA2 = "b" * 40
URL = "https://pr-7.previews.example.com"
REPO = "/repos/acme/wildside"


def comment(cli: Any, github: FakeGitHub, *args: str, env: dict[str, str] | None = None) -> Any:
    return cli("github", "comment", "--pr", "7", "--json", *args, env=github.env() | (env or {}))


def test_one_sticky_comment_is_created_then_updated_in_place(
    cli: Any, github: FakeGitHub, tmp_path: Path
) -> None:
    github.comments[7] = [{"id": 5, "body": "LGTM"}]
    first = comment(cli, github, "--status", "deployed", "--url", URL, "--sha", SHA1)
    assert first.returncode == 0, first.stderr
    assert first.json()["action"] == "created"
    assert github.calls() == [f"GET {REPO}/issues/7/comments", f"POST {REPO}/issues/7/comments"]
    created = github.requests[1].body["body"]
    assert created.startswith(MARKER)
    assert URL in created and SHA1[:12] in created and "deployed" in created

    github.requests.clear()
    second = comment(cli, github, "--status", "deployed", "--url", URL, "--sha", SHA2)
    assert second.returncode == 0, second.stderr
    assert second.json()["action"] == "updated"
    comment_id = first.json()["comment_id"]
    assert github.calls() == [
        f"GET {REPO}/issues/7/comments",
        f"PATCH {REPO}/issues/comments/{comment_id}",
    ]
    assert [c["id"] for c in github.comments[7]] == [5, comment_id]
    assert SHA2[:12] in github.comments[7][1]["body"]

    github.requests.clear()
    again = comment(cli, github, "--status", "deployed", "--url", URL, "--sha", SHA2)
    assert again.json()["action"] == "unchanged"
    assert github.calls() == [f"GET {REPO}/issues/7/comments"]

    for output in (first, second, again):
        assert TOKEN not in output.stdout + output.stderr


def test_duplicates_from_a_race_are_folded_into_one(cli: Any, github: FakeGitHub) -> None:
    github.comments[7] = [
        {"id": 11, "body": f"{MARKER}\nold"},
        {"id": 12, "body": "human"},
        {"id": 13, "body": f"{MARKER}\nolder race"},
    ]
    result = comment(cli, github, "--status", "removed", "--url", URL)
    assert result.returncode == 0, result.stderr
    assert result.json()["removed_duplicates"] == [13]
    assert [c["id"] for c in github.comments[7]] == [11, 12]
    assert "Preview removed" in github.comments[7][0]["body"]


def test_capped_and_failed_comments_explain_and_write_the_step_summary(
    cli: Any, github: FakeGitHub, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    run_url = "https://github.com/acme/wildside/actions/runs/1"
    capped = comment(
        cli,
        github,
        "--status",
        "capped",
        "--sha",
        SHA1,
        "--run-url",
        run_url,
        "--reason",
        "preview cap reached: 5 previews exist",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert capped.returncode == 0, capped.stderr
    text = github.comments[7][0]["body"]
    assert "cap reached" in text and "5 previews exist" in text and run_url in text
    written = summary.read_text()
    assert "cap reached" in written and MARKER not in written
    failed = comment(cli, github, "--status", "failed", "--sha", SHA1)
    assert failed.json()["action"] == "updated"
    assert len(github.comments[7]) == 1


def test_deployment_carries_the_url_and_goes_inactive_on_teardown(
    cli: Any, github: FakeGitHub
) -> None:
    def deployment(*args: str) -> Any:
        result = cli("github", "deployment", "--pr", "7", "--json", *args, env=github.env())
        assert result.returncode == 0, result.stderr
        return result.json()

    first = deployment("--state", "success", "--sha", SHA1, "--url", URL)
    did = first["deployments"][0]
    assert first["environment"] == "pr-7"
    assert github.calls() == [
        f"GET {REPO}/deployments",
        f"POST {REPO}/deployments",
        f"GET {REPO}/deployments/{did}/statuses",
        f"POST {REPO}/deployments/{did}/statuses",
    ]
    assert github.requests[0].query == {"environment": "pr-7", "sha": SHA1, "per_page": "100"}
    created = github.requests[1].body
    assert created["ref"] == SHA1 and created["environment"] == "pr-7"
    assert created["transient_environment"] is True
    assert created["production_environment"] is False
    assert created["required_contexts"] == []
    status = github.requests[3].body
    assert status["state"] == "success"
    assert status["environment_url"] == URL
    assert status["auto_inactive"] is True

    github.requests.clear()
    assert deployment("--state", "success", "--sha", SHA1, "--url", URL)["statuses_created"] == 0
    assert [r.method for r in github.requests] == ["GET", "GET"]

    second = deployment("--state", "success", "--sha", SHA2, "--url", URL)
    did2 = second["deployments"][0]
    assert did2 != did

    github.requests.clear()
    torn = deployment("--state", "inactive")
    assert torn["statuses_created"] == 2
    posts = [r for r in github.requests if r.method == "POST"]
    assert {r.path for r in posts} == {
        f"{REPO}/deployments/{did}/statuses",
        f"{REPO}/deployments/{did2}/statuses",
    }
    assert all(r.body["state"] == "inactive" for r in posts)
    assert deployment("--state", "inactive")["statuses_created"] == 0


def test_bad_input_and_missing_token_are_refused_before_any_request(
    cli: Any, github: FakeGitHub
) -> None:
    bad = cli("github", "comment", "--pr", "x", "--status", "deployed", env=github.env())
    assert bad.returncode == 2 and "--pr" in bad.stderr
    no_sha = cli("github", "deployment", "--pr", "7", "--state", "success", env=github.env())
    assert no_sha.returncode == 2 and "--sha" in no_sha.stderr
    bad_url = comment(cli, github, "--status", "deployed", "--url", "javascript:alert(1)")
    assert bad_url.returncode == 2
    no_token = comment(cli, github, "--status", "deployed", env={"GITHUB_TOKEN": ""})
    assert no_token.returncode == 2 and "GITHUB_TOKEN" in no_token.stderr
    assert github.requests == []


def test_an_api_failure_is_one_line_exit_1_without_the_token(cli: Any, github: FakeGitHub) -> None:
    github.fail("GET", r"/comments$", 404, body={"message": "Not Found"})
    result = comment(cli, github, "--status", "deployed", "--url", URL)
    assert result.returncode == 1
    assert result.stderr.startswith("wildside: error: GitHub GET")
    assert len(result.stderr.strip().splitlines()) == 1
    assert TOKEN not in result.stderr + result.stdout
