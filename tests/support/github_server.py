"""A local stand-in for the GitHub REST API: implements the endpoints the
CLI uses, checks the token, paginates with Link headers, records every
request and can be told to fail (status, headers, delay) a number of times."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "ghs_test-token-0123456789abcdef"
REPOSITORY = "acme/wildside"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any

    @property
    def call(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Failure:
    method: str
    path: re.Pattern[str]
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    times: int = 1
    delay: float = 0.0


class FakeGitHub:
    def __init__(self, repository: str = REPOSITORY, token: str = TOKEN) -> None:
        self.repository = repository
        self.token = token
        self.requests: list[Recorded] = []
        self.failures: list[Failure] = []
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.deployments: list[dict[str, Any]] = []
        self.statuses: dict[int, list[dict[str, Any]]] = {}
        self.pulls: dict[int, str] = {}
        self.heads: dict[int, str] = {}  # head SHA of a pull request, when a test sets one
        self.pulls_override: Any = None  # answer GET /pulls with this instead
        self._ids = iter(range(1000, 10**9))
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def env(self) -> dict[str, str]:
        return {
            "GITHUB_API_URL": self.url,
            "GITHUB_TOKEN": self.token,
            "GITHUB_REPOSITORY": self.repository,
        }

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
        delay: float = 0.0,
    ) -> None:
        self.failures.append(
            Failure(method, re.compile(path), status, headers or {}, body, times, delay)
        )

    def calls(self) -> list[str]:
        return [r.call for r in self.requests]

    def start(self) -> FakeGitHub:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- request handling -------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _serve(self) -> None:
                split = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(split.query).items()}
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                with fake._lock:
                    fake.requests.append(Recorded(self.command, split.path, query, body))
                if self.headers.get("authorization") != f"Bearer {fake.token}":
                    self._answer(401, {"message": "Bad credentials"})
                    return
                failure = fake._take_failure(self.command, split.path)
                if failure is not None:
                    time.sleep(failure.delay)
                    self._answer(failure.status, failure.body, failure.headers)
                    return
                with fake._lock:
                    status, payload, headers = fake._route(self.command, split.path, query, body)
                self._answer(status, payload, headers)

            def _answer(
                self, status: int, payload: Any, headers: dict[str, str] | None = None
            ) -> None:
                data = b"" if payload is None else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PATCH = do_DELETE = _serve  # noqa: N815

        return Handler

    def _take_failure(self, method: str, path: str) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.times > 0 and failure.method == method and failure.path.search(path):
                    failure.times -= 1
                    return failure
        return None

    def _page(
        self, path: str, items: list[Any], query: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        per_page = int(query.get("per_page", 30))
        page = int(query.get("page", 1))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(items):
            rest = "&".join(f"{k}={v}" for k, v in query.items() if k != "page")
            headers["link"] = f'<{self.url}{path}?{rest}&page={page + 1}>; rel="next"'
        return 200, chunk, headers

    def _route(
        self, method: str, path: str, query: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        prefix = f"/repos/{self.repository}"
        if not path.startswith(prefix):
            return 404, {"message": "Not Found"}, {}
        rest = path[len(prefix) :]
        if m := re.fullmatch(r"/issues/(\d+)/comments", rest):
            pr = int(m.group(1))
            if method == "GET":
                return self._page(path, self.comments.get(pr, []), query)
            comment = {
                "id": next(self._ids),
                "body": body["body"],
                "html_url": f"https://github.test/{self.repository}/pull/{pr}#c",
            }
            self.comments.setdefault(pr, []).append(comment)
            return 201, comment, {}
        if m := re.fullmatch(r"/issues/comments/(\d+)", rest):
            cid = int(m.group(1))
            for comments in self.comments.values():
                for comment in comments:
                    if comment["id"] == cid:
                        if method == "DELETE":
                            comments.remove(comment)
                            return 204, None, {}
                        comment["body"] = body["body"]
                        return 200, comment, {}
            return 404, {"message": "Not Found"}, {}
        if rest == "/deployments":
            if method == "GET":
                found = [
                    d
                    for d in self.deployments
                    if d["environment"] == query.get("environment", d["environment"])
                    and d["sha"] == query.get("sha", d["sha"])
                ]
                return self._page(path, sorted(found, key=lambda d: -d["id"]), query)
            deployment = {"id": next(self._ids), "sha": body["ref"], **body}
            self.deployments.append(deployment)
            self.statuses[deployment["id"]] = []
            return 201, deployment, {}
        if m := re.fullmatch(r"/deployments/(\d+)/statuses", rest):
            did = int(m.group(1))
            if did not in self.statuses:
                return 404, {"message": "Not Found"}, {}
            if method == "GET":
                return self._page(path, list(reversed(self.statuses[did])), query)
            status = {"id": next(self._ids), **body}
            self.statuses[did].append(status)
            return 201, status, {}
        if rest == "/pulls" and method == "GET":
            if self.pulls_override is not None:
                return 200, self.pulls_override, {}
            open_pulls = [
                {"number": n, "state": s} for n, s in sorted(self.pulls.items()) if s == "open"
            ]
            return self._page(path, open_pulls, query)
        if m := re.fullmatch(r"/pulls/(\d+)", rest):
            number = int(m.group(1))
            if number not in self.pulls:
                return 404, {"message": "Not Found"}, {}
            pull: dict[str, Any] = {"number": number, "state": self.pulls[number]}
            if number in self.heads:
                pull["head"] = {"sha": self.heads[number]}
            return 200, pull, {}
        return 404, {"message": "Not Found"}, {}
