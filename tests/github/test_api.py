"""The REST client against the local GitHub stand-in: retries honour
Retry-After and rate-limit headers, 5xx and timeouts back off within a bounded
budget, pagination follows Link headers, and the token never leaks."""

from __future__ import annotations

import random
import time

import pytest

from wildside.core.errors import BadInput
from wildside.github.api import GitHubClient, GitHubError, next_link, repository_name
from wildside.github.retry import RetryPolicy

from support.github_server import TOKEN, FakeGitHub


def client(github: FakeGitHub, sleeps: list[float], **options: object) -> GitHubClient:
    return GitHubClient(
        github.repository,
        TOKEN,
        github.url,
        sleep=sleeps.append,
        rng=random.Random(7),
        **options,  # type: ignore[arg-type]
    )


def test_429_with_retry_after_is_retried_after_exactly_that_long(github: FakeGitHub) -> None:
    github.pulls = {1: "open"}
    github.fail("GET", r"/pulls$", 429, headers={"Retry-After": "3"}, times=2)
    sleeps: list[float] = []
    with client(github, sleeps) as api:
        pulls = api.paginate("repos/{repo}/pulls", {"state": "open"})
    assert pulls == [{"number": 1, "state": "open"}]
    assert sleeps == [3.0, 3.0]
    assert github.calls() == ["GET /repos/acme/wildside/pulls"] * 3


def test_primary_rate_limit_waits_until_the_reset(github: FakeGitHub) -> None:
    now = 1_700_000_000.0
    github.pulls = {1: "open"}
    github.fail(
        "GET",
        r"/pulls$",
        403,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(now) + 20)},
        body={"message": "API rate limit exceeded"},
    )
    sleeps: list[float] = []
    with client(github, sleeps, clock=lambda: now) as api:
        api.paginate("repos/{repo}/pulls")
    assert sleeps == [21.0]


def test_secondary_rate_limit_without_headers_waits_a_minute(github: FakeGitHub) -> None:
    github.pulls = {1: "open"}
    github.fail(
        "GET", r"/pulls$", 403, body={"message": "You have exceeded a secondary rate limit."}
    )
    sleeps: list[float] = []
    with client(github, sleeps) as api:
        api.paginate("repos/{repo}/pulls")
    assert sleeps == [60.0]


def test_5xx_is_retried_with_bounded_jittered_backoff(github: FakeGitHub) -> None:
    github.pulls = {1: "open"}
    github.fail("GET", r"/pulls$", 502)
    github.fail("GET", r"/pulls$", 503)
    sleeps: list[float] = []
    with client(github, sleeps) as api:
        api.paginate("repos/{repo}/pulls")
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0
    assert 0.5 <= sleeps[1] <= 2.0


def test_persistent_5xx_gives_up_after_the_attempt_limit(github: FakeGitHub) -> None:
    github.fail("GET", r"/pulls$", 500, times=100)
    sleeps: list[float] = []
    policy = RetryPolicy(max_attempts=4, max_total_sleep=100)
    with client(github, sleeps, policy=policy) as api, pytest.raises(GitHubError) as raised:
        api.paginate("repos/{repo}/pulls")
    assert len(github.requests) == 4
    assert len(sleeps) == 3
    assert "gave up after 4 attempts" in str(raised.value)


def test_a_wait_beyond_the_budget_fails_at_once(github: FakeGitHub) -> None:
    github.fail("GET", r"/pulls$", 429, headers={"Retry-After": "3600"})
    sleeps: list[float] = []
    with client(github, sleeps) as api, pytest.raises(GitHubError) as raised:
        api.paginate("repos/{repo}/pulls")
    assert sleeps == []
    assert "retry budget" in str(raised.value)


def test_total_sleep_is_capped(github: FakeGitHub) -> None:
    github.fail("GET", r"/pulls$", 429, headers={"Retry-After": "4"}, times=100)
    sleeps: list[float] = []
    policy = RetryPolicy(max_attempts=50, max_total_sleep=10)
    with client(github, sleeps, policy=policy) as api, pytest.raises(GitHubError):
        api.paginate("repos/{repo}/pulls")
    assert sleeps == [4.0, 4.0]
    assert sum(sleeps) <= 10


def test_permission_errors_are_not_retried_and_never_show_the_token(github: FakeGitHub) -> None:
    github.fail("GET", r"/pulls$", 403, body={"message": "Resource not accessible by integration"})
    sleeps: list[float] = []
    with client(github, sleeps) as api, pytest.raises(GitHubError) as raised:
        api.paginate("repos/{repo}/pulls")
    assert sleeps == []
    assert len(github.requests) == 1
    assert "Resource not accessible" in str(raised.value)
    assert TOKEN not in str(raised.value)
    assert TOKEN not in repr(api)


def test_a_timeout_is_retried_then_reported(github: FakeGitHub) -> None:
    github.fail("GET", r"/pulls$", 200, body=[], delay=0.6, times=100)
    sleeps: list[float] = []
    policy = RetryPolicy(max_attempts=2)
    started = time.monotonic()
    with (
        client(github, sleeps, policy=policy, timeout=0.2) as api,
        pytest.raises(GitHubError) as raised,
    ):
        api.paginate("repos/{repo}/pulls")
    assert "ReadTimeout" in str(raised.value)
    assert len(sleeps) == 1
    assert time.monotonic() - started < 5


def test_pagination_follows_link_headers(github: FakeGitHub) -> None:
    github.pulls = dict.fromkeys(range(1, 251), "open")
    sleeps: list[float] = []
    with client(github, sleeps) as api:
        pulls = api.paginate("repos/{repo}/pulls", {"state": "open"})
    assert [p["number"] for p in pulls] == list(range(1, 251))
    assert [r.query.get("page", "1") for r in github.requests] == ["1", "2", "3"]
    # GitHub's next links name the repository by id, as the real API does
    assert [r.path for r in github.requests[1:]] == ["/repositories/812345678/pulls"] * 2
    assert all(r.query["per_page"] == "100" for r in github.requests)


def test_links_to_another_host_are_refused() -> None:
    assert next_link('<https://x/a?page=2>; rel="next", <https://x/a?page=9>; rel="last"') == (
        "https://x/a?page=2"
    )
    api = GitHubClient("acme/wildside", TOKEN, "https://api.github.com")
    with pytest.raises(GitHubError, match="another host"):
        api.request("GET", "https://evil.example/steal")


def test_repository_names_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    with pytest.raises(BadInput):
        repository_name(None)
    with pytest.raises(BadInput):
        repository_name("acme/../etc")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/wildside")
    assert repository_name(None) == "acme/wildside"
