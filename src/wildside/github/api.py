"""A small GitHub REST client over httpx: the token comes from the
environment (never argv, never logged), every call retries rate limits, 5xx
and network errors within a bounded budget, and lists follow Link headers."""

from __future__ import annotations

import math
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from wildside.core.errors import BadInput, OperationalError
from wildside.github.retry import RetryPolicy, decide

TOKEN_VARIABLE = "GITHUB_TOKEN"  # noqa: S105 - a variable name, not a secret
API_URL_VARIABLE = "GITHUB_API_URL"
REPOSITORY_VARIABLE = "GITHUB_REPOSITORY"
MAX_SLEEP_VARIABLE = "WILDSIDE_GITHUB_MAX_SLEEP"
DEFAULT_API_URL = "https://api.github.com"
MAX_PAGES = 100
_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class GitHubError(OperationalError):
    """The GitHub API failed or answered something we cannot use (exit 1)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AmbiguousWrite(GitHubError):
    """A POST answered 5xx or lost its connection: GitHub may have created the
    resource anyway (a 502 after the create), so the caller must look before
    it posts again. Blindly retrying is how duplicate comments appear."""


# Safe to repeat: the same request twice leaves the same state.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE"})


def repository_name(value: str | None) -> str:
    """`--repository owner/name`, else $GITHUB_REPOSITORY."""
    chosen = value or os.environ.get(REPOSITORY_VARIABLE) or ""
    if not _REPOSITORY.fullmatch(chosen) or ".." in chosen:
        shown = repr(chosen) if chosen else "nothing"
        raise BadInput(
            f"--repository {shown} is not a GitHub repository: give OWNER/NAME "
            f"(or set {REPOSITORY_VARIABLE})"
        )
    return chosen


def next_link(header: str | None) -> str | None:
    if not header:
        return None
    match = _NEXT_LINK.search(header)
    return match.group(1) if match else None


@dataclass
class GitHubClient:
    """Calls one GitHub API base with one token. `sleep`, `clock` and `rng` are
    injectable so tests exercise retries without waiting."""

    repository: str
    token: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 15.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    rng: random.Random = field(default_factory=random.Random)
    transport: httpx.BaseTransport | None = None
    slept: float = 0.0

    def __post_init__(self) -> None:
        self.api_url = self.api_url.rstrip("/")
        self._http = httpx.Client(
            timeout=self.timeout,
            transport=self.transport,
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "wildside-previews",
                "Authorization": f"Bearer {self.token}",
            },
            follow_redirects=False,
        )

    @classmethod
    def from_environment(cls, repository: str | None, **options: Any) -> GitHubClient:
        token = os.environ.get(TOKEN_VARIABLE, "")
        if not token.strip():
            raise BadInput(
                f"no GitHub token: set {TOKEN_VARIABLE} in the environment "
                "(in a workflow: env: GITHUB_TOKEN: ${{ github.token }})"
            )
        api_url = os.environ.get(API_URL_VARIABLE) or DEFAULT_API_URL
        try:
            valid_url = api_url.startswith(("https://", "http://")) and bool(
                httpx.URL(api_url).host
            )
        except httpx.InvalidURL:
            valid_url = False
        if not valid_url:
            raise BadInput(
                f"{API_URL_VARIABLE} {api_url!r} is not an http(s) URL "
                f"(e.g. {DEFAULT_API_URL}); unset it for GitHub.com"
            )
        budget = os.environ.get(MAX_SLEEP_VARIABLE)
        if budget is not None and "policy" not in options:
            try:
                seconds = float(budget)
            except ValueError:
                seconds = math.nan
            if not 0 <= seconds <= 86_400:
                raise BadInput(
                    f"{MAX_SLEEP_VARIABLE} {budget!r} is not a number of seconds: give 0 to 86400"
                )
            options["policy"] = RetryPolicy(max_total_sleep=seconds)
        return cls(repository_name(repository), token.strip(), api_url, **options)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _url(self, path: str) -> str:
        if path.startswith(("https://", "http://")):
            # Link headers carry absolute URLs: never send the token elsewhere.
            try:
                host = urlsplit(path).netloc
            except ValueError:
                raise GitHubError(f"GitHub pagination pointed at a malformed URL: {path}") from None
            if host != urlsplit(self.api_url).netloc:
                raise GitHubError(f"GitHub pagination pointed at another host: {path}")
            return path
        return f"{self.api_url}/{path.format(repo=self.repository).lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str | int] | None = None,
        allow: tuple[int, ...] = (),
    ) -> httpx.Response:
        """One API call with retries; statuses in `allow` are returned, not raised.
        A POST is retried only on rate limits (GitHub refused it before acting);
        a 5xx or a lost connection raises `AmbiguousWrite` at once."""
        url = self._url(path)
        idempotent = method.upper() in IDEMPOTENT_METHODS
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._http.request(method, url, json=json, params=params)
            except httpx.TransportError as error:
                kind = type(error).__name__
                if not idempotent and not isinstance(
                    error, httpx.ConnectError | httpx.ConnectTimeout
                ):
                    raise AmbiguousWrite(
                        f"GitHub {method} {urlsplit(url).path} failed: {kind}; "
                        "it may have been applied"
                    ) from None
                decision = decide(
                    self.policy, attempt, self.slept, self.rng, status=None, error=kind
                )
            else:
                if response.is_success or response.status_code in allow:
                    return response
                if not idempotent and response.status_code >= 500:
                    raise AmbiguousWrite(
                        f"GitHub {method} {urlsplit(url).path} failed: HTTP "
                        f"{response.status_code}; it may have been applied",
                        response.status_code,
                    )
                decision = decide(
                    self.policy,
                    attempt,
                    self.slept,
                    self.rng,
                    status=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    body=response.text[:2000],
                    now=self.clock(),
                )
                if decision.delay is None:
                    raise GitHubError(
                        f"GitHub {method} {urlsplit(url).path} failed: {decision.reason}"
                        f"{_message(response)}",
                        response.status_code,
                    )
            if decision.delay is None:
                raise GitHubError(f"GitHub {method} {urlsplit(url).path} failed: {decision.reason}")
            self.sleep(decision.delay)
            self.slept += decision.delay

    def get_json(self, path: str, params: dict[str, str | int] | None = None) -> Any:
        return decode(self.request("GET", path, params=params))

    def paginate(self, path: str, params: dict[str, str | int] | None = None) -> list[Any]:
        """Every item of a list endpoint, following rel="next" links."""
        items: list[Any] = []
        url: str | None = path
        query: dict[str, str | int] | None = {"per_page": 100, **(params or {})}
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            response = self.request("GET", url, params=query)
            page = decode(response)
            if not isinstance(page, list):
                raise GitHubError(f"GitHub GET {path} answered a non-list page")
            items.extend(page)
            url, query = next_link(response.headers.get("link")), None
        if url is not None:
            raise GitHubError(f"GitHub GET {path} has more than {MAX_PAGES} pages; refusing")
        return items


def decode(response: httpx.Response) -> Any:
    """The JSON body of a reply; a body that is not JSON (or nests absurdly
    deep) is GitHub failing, not a crash."""
    try:
        return response.json()
    except (ValueError, RecursionError):
        raise GitHubError(
            f"GitHub {response.request.method} {response.request.url.path} answered "
            f"malformed JSON (status {response.status_code})"
        ) from None


def _message(response: httpx.Response) -> str:
    """GitHub's `message`, and for a 422 the first of its `errors` (which
    field was refused and why)."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return ""
    if not isinstance(body, dict):
        return ""
    parts = [str(body["message"])] if body.get("message") else []
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        detail = first.get("message") or " ".join(
            f"{key}={first[key]}" for key in ("resource", "field", "code") if first.get(key)
        )
        if detail:
            parts.append(str(detail))
    text = ": ".join(parts)
    return f" ({text.splitlines()[0][:200]})" if text.strip() else ""
