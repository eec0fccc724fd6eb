"""An HTTPS token reaches the Git server as an Authorization header through
Git's environment — never in argv, output or errors; plain HTTP never gets it."""

from __future__ import annotations

import base64
import http.server
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

TOKEN = "ghs_fakeTokenForTests0123456789abcdef"  # a fixture, not a credential


class Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        Recorder.seen.append(
            {"path": self.path, "authorization": self.headers.get("Authorization", "")}
        )
        self.send_response(404)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(tls: Path | None) -> tuple[http.server.HTTPServer, str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls / "cert.pem", tls / "key.pem")
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"{scheme}://127.0.0.1:{server.server_address[1]}/acme/wildside-apps.git"


@pytest.fixture
def certificate(tmp_path: Path) -> Path:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return tmp_path


@pytest.fixture(autouse=True)
def clear_recorder() -> Iterator[None]:
    Recorder.seen.clear()
    yield


def test_https_token_travels_as_a_header_and_never_in_output(cli: Any, certificate: Path) -> None:
    server, url = serve(certificate)
    try:
        result = cli(
            "preview",
            "list",
            "--repo",
            url,
            env={"WILDSIDE_GIT_TOKEN": TOKEN, "GIT_SSL_NO_VERIFY": "1"},
        )
    finally:
        server.shutdown()
    assert result.returncode == 1
    assert result.stderr.startswith("wildside: error: ")
    assert TOKEN not in result.stdout + result.stderr
    expected = "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    assert Recorder.seen, "git never reached the server"
    assert all(request["authorization"] == expected for request in Recorder.seen)


def test_plain_http_never_receives_the_token(cli: Any) -> None:
    server, url = serve(None)
    try:
        result = cli("preview", "list", "--repo", url, env={"WILDSIDE_GIT_TOKEN": TOKEN})
    finally:
        server.shutdown()
    assert result.returncode == 1
    assert Recorder.seen
    assert all(request["authorization"] == "" for request in Recorder.seen)
