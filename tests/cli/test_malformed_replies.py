"""Whatever GitHub answers, `preview gc` and `preview up --only-if-open` end
with one line and exit 1 (never a traceback, never a write)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

SHA = "0123456789abcdef0123456789abcdef01234567"


class RawServer:
    """Answers every request with the same status, headers and raw body."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b""
        self.headers: dict[str, str] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(server.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(server.body)))
                for key, value in server.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(server.body)

            do_POST = do_PATCH = do_DELETE = do_GET  # noqa: N815

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}"


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, offline_env: Path) -> Iterator[RawServer]:
    server = RawServer()
    monkeypatch.setenv("GITHUB_API_URL", server.url)
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    monkeypatch.setenv("WILDSIDE_GITHUB_MAX_SLEEP", "0")
    yield server
    server.http.shutdown()
    server.http.server_close()


REPLIES = [
    (200, b"not json", {}),
    (200, b"\xff\xfe\x00garbage", {}),
    (200, b"[1, 2, 3]", {}),
    (200, b'[{"number": "7"}]', {}),
    (200, b'[{"number": 1e400}]', {}),
    (200, b'{"state": null}', {}),
    (200, b'{"state": {"nested": true}}', {}),
    (200, b"[]", {}),
    (200, b"{}", {}),
    (200, b"null", {}),
    (200, b"[" * 50_000 + b"]" * 50_000, {}),
    (200, b"[]", {"link": '<not a url>; rel="next"'}),
    (200, b"[]", {"link": '<http://[::1>; rel="next"'}),
    (200, b"[]", {"retry-after": "soon"}),
    (403, b'{"message": "rate"}', {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "x"}),
    (429, b"", {"retry-after": "99999999999999999999"}),
    (302, b"", {"location": "http://127.0.0.1:1/elsewhere"}),
    (500, b"\x00", {}),
]


@pytest.mark.parametrize(("status", "body", "headers"), REPLIES)
def test_gc_and_only_if_open_survive_any_reply(
    github: RawServer, run: Any, bare_repo: Path, status: int, body: bytes, headers: dict[str, str]
) -> None:
    assert run("apps", "init", "--repo", str(bare_repo), "-q").code == 0
    github.status, github.body, github.headers = status, body, headers
    for args in (
        ["preview", "gc", "--repository", "acme/wildside", "--dry-run", "-q"],
        ["preview", "gc", "--repository", "acme/wildside", "--allow-empty", "-q"],
        ["preview", "up", "--pr", "3", "--sha", SHA, "--only-if-open", "-q"],
        ["github", "comment", "--pr", "3", "--status", "deployed", "--repository", "a/b"],
        ["github", "deployment", "--pr", "3", "--state", "inactive", "--repository", "a/b"],
    ):
        outcome = run(*args, "--repo", str(bare_repo)) if args[0] == "preview" else run(*args)
        assert outcome.code in (0, 1, 2), outcome
        assert "Traceback" not in outcome.output
        assert len(outcome.stderr.splitlines()) <= 1, outcome.stderr
