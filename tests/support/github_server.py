"""A local stand-in for the GitHub REST API: implements the endpoints the
CLI uses with GitHub's response shapes (comment authors, deployment and
status objects, `/repositories/<id>/` Link URLs, 422 "Validation Failed"
bodies, 403 on /user for a workflow token), checks every request (token,
Accept, API version, User-Agent, JSON body), records it, and can be told to
fail (status, headers, delay) a number of times — before or *after* acting,
like a 502 that arrives once GitHub already created the comment."""

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
REPOSITORY_ID = 812345678
ACTIONS_BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
API_VERSION = "2022-11-28"
DEPLOYMENT_STATES = {"error", "failure", "inactive", "in_progress", "queued", "pending", "success"}
MAX_COMMENT = 65536


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
    after: bool = False  # act first, then answer the failure


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
        # Who the token is: a workflow token writes as github-actions[bot] and
        # cannot read /user (403); set `user` to act as a personal token.
        self.actor: dict[str, Any] = dict(ACTIONS_BOT)
        self.user: dict[str, Any] | None = None
        self.violations: list[str] = []  # requests GitHub would have refused
        # repository_dispatch events received (Flux's githubdispatch provider)
        self.dispatches: list[dict[str, Any]] = []
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
        after: bool = False,
    ) -> None:
        self.failures.append(
            Failure(method, re.compile(path), status, headers or {}, body, times, delay, after)
        )

    def comment(self, pr: int, body: str, user: dict[str, Any] | None = None) -> dict[str, Any]:
        """Seed a comment as GitHub would hold it (by default, another user's)."""
        with self._lock:
            return self._new_comment(
                pr, body, user or {"login": "octocat", "id": 1, "type": "User"}
            )

    def _new_comment(self, pr: int, body: str, user: dict[str, Any]) -> dict[str, Any]:
        cid = next(self._ids)
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        comment = {
            "id": cid,
            "node_id": f"IC_{cid}",
            "url": f"{self.url}/repos/{self.repository}/issues/comments/{cid}",
            "html_url": f"https://github.com/{self.repository}/pull/{pr}#issuecomment-{cid}",
            "issue_url": f"{self.url}/repos/{self.repository}/issues/{pr}",
            "body": body,
            "user": dict(user),
            "author_association": "NONE" if user.get("type") == "Bot" else "MEMBER",
            "created_at": now,
            "updated_at": now,
        }
        self.comments.setdefault(pr, []).append(comment)
        return comment

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
                refused = fake._check(self.command, dict(self.headers.items()), body)
                if refused is not None:
                    with fake._lock:
                        fake.violations.append(f"{self.command} {split.path}: {refused[1]}")
                    self._answer(refused[0], {"message": refused[1]})
                    return
                failure = fake._take_failure(self.command, split.path)
                if failure is not None and not failure.after:
                    time.sleep(failure.delay)
                    self._answer(failure.status, failure.body, failure.headers)
                    return
                with fake._lock:
                    status, payload, headers = fake._route(self.command, split.path, query, body)
                if failure is not None:
                    time.sleep(failure.delay)
                    self._answer(failure.status, failure.body, failure.headers)
                    return
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

    @staticmethod
    def _check(method: str, headers: dict[str, str], body: Any) -> tuple[int, str] | None:
        """What GitHub refuses before routing: no User-Agent (403), an
        unknown API version (400), a write without a JSON object body."""
        lower = {k.lower(): v for k, v in headers.items()}
        if not lower.get("user-agent"):
            return (
                403,
                "Request forbidden by administrative rules. Please make sure your request has a User-Agent header",
            )
        if lower.get("x-github-api-version", API_VERSION) != API_VERSION:
            return 400, f"Unsupported 'X-GitHub-Api-Version': {lower['x-github-api-version']}"
        # GitHub accepts its current media type and the older v3 one (go-github's).
        if "application/vnd.github" not in lower.get("accept", ""):
            return 415, "Unsupported Media Type: send Accept: application/vnd.github+json"
        if method in ("POST", "PATCH") and not isinstance(body, dict):
            return 400, "Problems parsing JSON"
        return None

    @staticmethod
    def _invalid(
        resource: str, field: str, code: str = "missing_field"
    ) -> tuple[int, Any, dict[str, str]]:
        return (
            422,
            {
                "message": "Validation Failed",
                "errors": [{"resource": resource, "field": field, "code": code}],
                "documentation_url": "https://docs.github.com/rest",
                "status": "422",
            },
            {},
        )

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
            # GitHub's links name the repository by id, not by owner/name.
            stable = path.replace(f"/repos/{self.repository}", f"/repositories/{REPOSITORY_ID}", 1)
            rest = "&".join(f"{k}={v}" for k, v in query.items() if k != "page")
            headers["link"] = f'<{self.url}{stable}?{rest}&page={page + 1}>; rel="next"'
        return 200, chunk, headers

    def _route(
        self, method: str, path: str, query: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        if path == "/user" and method == "GET":
            if self.user is None:
                return (
                    403,
                    {
                        "message": "Resource not accessible by integration",
                        "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
                        "status": "403",
                    },
                    {},
                )
            return 200, self.user, {}
        if path.startswith("/api/v3/"):  # GitHub Enterprise's base, as go-github uses it
            path = path[len("/api/v3") :]
        prefix = f"/repos/{self.repository}"
        if path.startswith(f"/repositories/{REPOSITORY_ID}/"):
            path = prefix + path[len(f"/repositories/{REPOSITORY_ID}") :]
        if not path.startswith(prefix):
            return 404, {"message": "Not Found"}, {}
        rest = path[len(prefix) :]
        if rest == "/dispatches" and method == "POST":
            if not isinstance(body.get("event_type"), str) or not body["event_type"]:
                return self._invalid("RepositoryDispatch", "event_type")
            payload = body.get("client_payload", {})
            if not isinstance(payload, dict):
                return self._invalid("RepositoryDispatch", "client_payload", "invalid")
            self.dispatches.append({"event_type": body["event_type"], "client_payload": payload})
            return 204, None, {}
        if m := re.fullmatch(r"/issues/(\d+)/comments", rest):
            pr = int(m.group(1))
            if method == "GET":
                return self._page(path, self.comments.get(pr, []), query)
            if method != "POST":
                return 404, {"message": "Not Found"}, {}
            text = body.get("body")
            if not isinstance(text, str) or not text.strip():
                return self._invalid("IssueComment", "body")
            if len(text) > MAX_COMMENT:
                return self._invalid("IssueComment", "body", "custom")
            return 201, self._new_comment(pr, text, self.actor), {}
        if m := re.fullmatch(r"/issues/comments/(\d+)", rest):
            cid = int(m.group(1))
            for comments in self.comments.values():
                for comment in comments:
                    if comment["id"] == cid:
                        if comment["user"]["login"] != self.actor["login"]:
                            # A workflow token may not edit another user's comment.
                            return 403, {"message": "Resource not accessible by integration"}, {}
                        if method == "DELETE":
                            comments.remove(comment)
                            return 204, None, {}
                        if method != "PATCH":
                            return 404, {"message": "Not Found"}, {}
                        text = body.get("body")
                        if not isinstance(text, str) or not text.strip():
                            return self._invalid("IssueComment", "body")
                        comment["body"] = text
                        comment["updated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
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
            ref = body.get("ref")
            if not isinstance(ref, str) or not ref:
                return self._invalid("Deployment", "ref")
            if not re.fullmatch(r"[0-9a-f]{40}", ref):
                return 422, {"message": f"No ref found for: {ref}"}, {}
            did = next(self._ids)
            deployment = {
                "id": did,
                "url": f"{self.url}{path}/{did}",
                "sha": ref,
                "task": "deploy",
                "payload": {},
                "original_environment": body.get("environment", "production"),
                "creator": dict(self.actor),
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "statuses_url": f"{self.url}{path}/{did}/statuses",
                **body,
            }
            self.deployments.append(deployment)
            self.statuses[deployment["id"]] = []
            return 201, deployment, {}
        if m := re.fullmatch(r"/deployments/(\d+)/statuses", rest):
            did = int(m.group(1))
            if did not in self.statuses:
                return 404, {"message": "Not Found"}, {}
            if method == "GET":
                return self._page(path, list(reversed(self.statuses[did])), query)
            if body.get("state") not in DEPLOYMENT_STATES:
                return self._invalid("DeploymentStatus", "state", "invalid")
            for url_field in ("environment_url", "log_url"):
                if url_field in body and not isinstance(body[url_field], str):
                    return self._invalid("DeploymentStatus", url_field, "invalid")
            environment = next(d["environment"] for d in self.deployments if d["id"] == did)
            status = {
                "id": next(self._ids),
                "description": "",
                "environment": environment,
                "environment_url": "",
                "log_url": "",
                "target_url": body.get("log_url", ""),
                "creator": dict(self.actor),
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                **body,
            }
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
