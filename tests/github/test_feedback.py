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
    human = github.comment(7, "LGTM")
    first = comment(cli, github, "--status", "deploying", "--url", URL, "--sha", SHA1)
    assert first.returncode == 0, first.stderr
    assert first.json()["action"] == "created"
    assert first.json()["author"] == "github-actions[bot]"
    assert github.calls() == [
        "GET /user",
        f"GET {REPO}/issues/7/comments",
        f"POST {REPO}/issues/7/comments",
    ]
    created = github.requests[2].body["body"]
    assert created.startswith(MARKER)
    assert URL in created and SHA1[:12] in created and "deploying" in created

    github.requests.clear()
    second = comment(cli, github, "--status", "deployed", "--url", URL, "--sha", SHA2)
    assert second.returncode == 0, second.stderr
    assert second.json()["action"] == "updated"
    assert second.json()["status"] == "deploying", "deployed is the old word for deploying"
    comment_id = first.json()["comment_id"]
    assert github.calls() == [
        "GET /user",
        f"GET {REPO}/issues/7/comments",
        f"PATCH {REPO}/issues/comments/{comment_id}",
    ]
    assert [c["id"] for c in github.comments[7]] == [human["id"], comment_id]
    assert SHA2[:12] in github.comments[7][1]["body"]

    github.requests.clear()
    again = comment(cli, github, "--status", "deploying", "--url", URL, "--sha", SHA2)
    assert again.json()["action"] == "unchanged"
    assert github.calls() == ["GET /user", f"GET {REPO}/issues/7/comments"]
    assert github.violations == []

    for output in (first, second, again):
        assert TOKEN not in output.stdout + output.stderr


def test_duplicates_from_a_race_are_folded_into_one(cli: Any, github: FakeGitHub) -> None:
    bot = github.actor
    old = github.comment(7, f"{MARKER}\nold", bot)
    human = github.comment(7, "human")
    race = github.comment(7, f"{MARKER}\nolder race", bot)
    result = comment(cli, github, "--status", "removed", "--url", URL)
    assert result.returncode == 0, result.stderr
    assert result.json()["removed_duplicates"] == [race["id"]]
    assert [c["id"] for c in github.comments[7]] == [old["id"], human["id"]]
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


# -- robustness: identity, vanished comments, ambiguous POSTs, best-effort ----


def report(cli: Any, github: FakeGitHub, *args: str, env: dict[str, str] | None = None) -> Any:
    return cli("github", "report", "--pr", "7", "--json", *args, env=github.env() | (env or {}))


def test_a_marker_pasted_by_someone_else_is_never_edited_or_deleted(
    cli: Any, github: FakeGitHub
) -> None:
    hijack = github.comment(7, f"{MARKER}\nI copied your marker")
    result = comment(cli, github, "--status", "ready", "--url", URL, "--sha", SHA1)
    assert result.returncode == 0, result.stderr
    assert result.json()["action"] == "created"
    assert result.json()["removed_duplicates"] == []
    assert github.comments[7][0] == hijack, "another user's comment was touched"
    ours = github.comments[7][1]
    assert ours["user"]["login"] == "github-actions[bot]" and "Preview ready" in ours["body"]
    assert not [r for r in github.requests if r.method in ("PATCH", "DELETE")]


def test_a_personal_token_finds_its_comments_by_its_own_login(cli: Any, github: FakeGitHub) -> None:
    github.user = github.actor = {"login": "octo-dev", "id": 7, "type": "User"}
    mine = github.comment(7, f"{MARKER}\nold", github.actor)
    result = comment(cli, github, "--status", "failed", "--sha", SHA1)
    assert result.json()["author"] == "octo-dev" and result.json()["action"] == "updated"
    assert github.comments[7] == [mine] and "Preview failed" in mine["body"]
    # an explicit author (a GitHub App's bot) skips the lookup
    github.requests.clear()
    app = comment(cli, github, "--status", "failed", "--sha", SHA1, "--author", "octo-dev")
    assert app.json()["action"] == "unchanged"
    assert "GET /user" not in github.calls()


def test_a_comment_deleted_before_the_update_is_created_anew(cli: Any, github: FakeGitHub) -> None:
    first = comment(cli, github, "--status", "deploying", "--url", URL, "--sha", SHA1).json()
    # Deleted between our listing and our PATCH: GitHub answers 404.
    github.fail("PATCH", r"/issues/comments/\d+$", 404, body={"message": "Not Found"})
    second = comment(cli, github, "--status", "ready", "--url", URL, "--sha", SHA1)
    assert second.returncode == 0, second.stderr
    assert second.json()["action"] == "created"
    assert second.json()["comment_id"] != first["comment_id"]
    assert "Preview ready" in github.comments[7][-1]["body"]


def test_a_502_after_github_created_the_comment_makes_no_duplicate(
    cli: Any, github: FakeGitHub
) -> None:
    github.fail("POST", r"/issues/7/comments$", 502, after=True)
    result = comment(cli, github, "--status", "deploying", "--url", URL, "--sha", SHA1)
    assert result.returncode == 0, result.stderr
    assert len(github.comments[7]) == 1
    posts = [r for r in github.requests if r.method == "POST"]
    assert len(posts) == 1, "a POST that may have been applied was repeated blindly"
    assert github.calls()[-1] == f"GET {REPO}/issues/7/comments", "it looked before posting again"


def test_a_502_before_the_create_posts_again_once(cli: Any, github: FakeGitHub) -> None:
    github.fail("POST", r"/issues/7/comments$", 502)
    result = comment(cli, github, "--status", "deploying", "--url", URL, "--sha", SHA1)
    assert result.returncode == 0, result.stderr
    assert len(github.comments[7]) == 1
    assert [r.method for r in github.requests].count("POST") == 2


def test_a_502_after_the_deployment_was_created_makes_no_second_deployment(
    cli: Any, github: FakeGitHub
) -> None:
    github.fail("POST", r"/deployments$", 502, after=True)
    github.fail("POST", r"/statuses$", 503, after=True)
    result = cli(
        "github",
        "deployment",
        "--pr",
        "7",
        "--state",
        "in_progress",
        "--sha",
        SHA1,
        "--url",
        URL,
        "--json",
        env=github.env(),
    )
    assert result.returncode == 0, result.stderr
    assert len(github.deployments) == 1
    assert [s["state"] for s in github.statuses[github.deployments[0]["id"]]] == ["in_progress"]


def test_report_walks_the_states_on_the_deployment_and_one_comment(
    cli: Any, github: FakeGitHub, tmp_path: Path
) -> None:
    run_url = "https://github.com/acme/wildside/actions/runs/9"
    states = []
    for status in ("building", "deploying", "ready"):
        result = report(
            cli, github, "--status", status, "--sha", SHA1, "--url", URL, "--run-url", run_url
        )
        assert result.returncode == 0, result.stderr
        states.append(result.json()["deployment_state"])
        assert result.json()["comment_error"] is None
    assert states == ["queued", "in_progress", "success"]
    (deployment,) = github.deployments
    statuses = github.statuses[deployment["id"]]
    assert [s["state"] for s in statuses] == ["queued", "in_progress", "success"]
    assert all(s["log_url"] == run_url and s["environment_url"] == URL for s in statuses)
    assert len(github.comments[7]) == 1 and "Preview ready" in github.comments[7][0]["body"]
    # the Deployment is written before the comment
    first_comment = next(i for i, r in enumerate(github.requests) if "comments" in r.path)
    first_deployment = next(i for i, r in enumerate(github.requests) if "deployments" in r.path)
    assert first_deployment < first_comment

    torn = report(cli, github, "--status", "removed", "--run-url", run_url)
    assert torn.json()["deployment_state"] == "inactive"
    assert statuses[-1]["state"] == "inactive"
    assert "Preview removed" in github.comments[7][0]["body"]
    never = cli("github", "report", "--pr", "8", "--status", "removed", "--json", env=github.env())
    assert never.json()["comment_action"] == "skipped", "teardown only updates a comment"
    assert github.violations == []


def test_a_refused_comment_warns_and_keeps_the_deployment(cli: Any, github: FakeGitHub) -> None:
    github.fail(
        "POST", r"/comments$", 403, body={"message": "Resource not accessible by integration"}
    )
    result = report(
        cli,
        github,
        "--status",
        "deploying",
        "--sha",
        SHA1,
        "--url",
        URL,
        env={"GITHUB_ACTIONS": "true"},
    )
    assert result.returncode == 0, result.stderr
    assert result.json()["comment_error"].endswith("(Resource not accessible by integration)")
    assert "::warning title=Preview feedback::the comment on #7 was not updated" in result.stderr
    (deployment,) = github.deployments
    assert github.statuses[deployment["id"]][-1]["state"] == "in_progress"
    assert TOKEN not in result.stdout + result.stderr


def test_a_refused_deployment_still_comments_and_fails_unless_best_effort(
    cli: Any, github: FakeGitHub
) -> None:
    github.fail(
        "GET",
        r"/deployments$",
        403,
        body={"message": "Resource not accessible by integration"},
        times=2,
    )
    strict = report(cli, github, "--status", "deploying", "--sha", SHA1, "--url", URL)
    assert strict.returncode == 1
    assert "wildside: warning: the Deployment of pr-7 was not updated" in strict.stderr
    assert "Preview deploying" in github.comments[7][0]["body"], "the comment still went out"
    lenient = report(
        cli, github, "--status", "deploying", "--sha", SHA1, "--url", URL, "--best-effort"
    )
    assert lenient.returncode == 0 and lenient.json()["deployment_error"]


def test_a_422_names_the_refused_field(cli: Any, github: FakeGitHub) -> None:
    github.fail(
        "POST",
        r"/deployments$",
        422,
        body={
            "message": "Validation Failed",
            "errors": [{"resource": "Deployment", "field": "ref", "code": "invalid"}],
        },
    )
    result = cli(
        "github", "deployment", "--pr", "7", "--state", "queued", "--sha", SHA1, env=github.env()
    )
    assert result.returncode == 1
    assert "Validation Failed: resource=Deployment field=ref code=invalid" in result.stderr
    assert len(github.deployments) == 0


def test_unknown_statuses_are_bad_input(cli: Any, github: FakeGitHub) -> None:
    result = report(cli, github, "--status", "done")
    assert result.returncode == 2
    assert "--status 'done'" in result.stderr and "building" in result.stderr
    assert github.requests == []


def test_a_late_building_report_never_moves_a_preview_backwards(
    cli: Any, github: FakeGitHub
) -> None:
    assert report(cli, github, "--status", "deploying", "--sha", SHA1, "--url", URL).returncode == 0
    late = report(cli, github, "--status", "building", "--sha", SHA1)
    assert late.returncode == 0, late.stderr
    assert late.json()["comment_action"] is None
    (deployment,) = github.deployments
    assert [s["state"] for s in github.statuses[deployment["id"]]] == ["in_progress"]
    assert "Preview deploying" in github.comments[7][0]["body"]
    # a new commit starts over at building
    fresh = report(cli, github, "--status", "building", "--sha", SHA2)
    assert fresh.json()["deployment_state"] == "queued"
    assert "Preview building" in github.comments[7][0]["body"]
