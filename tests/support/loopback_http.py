"""The sources Flux reads in the live-cluster harness, on loopback: Git's own
smart-HTTP server (`git http-backend`, run as a CGI program) under `/git/`,
over HTTPS with a certificate of the harness CA (the platform accepts only
https:// Git URLs),
and a static directory (the Helm repository index and chart archives) under
`/charts/`. Read-only: pushes go to the bare repositories on disk.

    python tests/support/loopback_http.py --port 8080 --git-root DIR --static DIR \
        [--tls-cert CRT --tls-key KEY]
"""

from __future__ import annotations

import argparse
import os
import shutil
import ssl
import subprocess
import sys
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit


class Handler(SimpleHTTPRequestHandler):
    git_root: ClassVar[Path]
    git_executable: ClassVar[str]
    protocol_version = "HTTP/1.1"

    def __init__(self, *args: Any, directory: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, directory=directory, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def do_GET(self) -> None:
        if self.path.startswith("/git/"):
            self._git()
        elif self.path.startswith("/charts/"):
            self.path = self.path.removeprefix("/charts")
            super().do_GET()
        else:
            self.send_error(HTTPStatus.NOT_FOUND)

    def do_HEAD(self) -> None:
        if self.path.startswith("/charts/"):
            self.path = self.path.removeprefix("/charts")
            super().do_HEAD()
        else:
            self.send_error(HTTPStatus.NOT_FOUND)

    def do_POST(self) -> None:
        if self.path.startswith("/git/"):
            self._git()
        else:
            self.send_error(HTTPStatus.NOT_FOUND)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _git(self) -> None:
        url = urlsplit(self.path)
        body = self._body() if self.command == "POST" else b""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.git_root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": url.path.removeprefix("/git"),
            "QUERY_STRING": url.query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": self.client_address[0],
        }
        for header, variable in (
            ("Content-Encoding", "HTTP_CONTENT_ENCODING"),
            ("Git-Protocol", "GIT_PROTOCOL"),
        ):
            if self.headers.get(header):
                env[variable] = self.headers[header]
        completed = subprocess.run(
            [self.git_executable, "http-backend"],
            input=body,
            env=env,
            capture_output=True,
            check=False,
        )
        head, _, payload = completed.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = completed.stdout.partition(b"\n\n")
        status = 200
        headers: list[tuple[str, str]] = []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        if completed.returncode != 0 and not headers:
            status = 500
            payload = completed.stderr
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--git-root", type=Path, required=True)
    parser.add_argument("--static", type=Path, required=True)
    parser.add_argument("--tls-cert", type=Path, help="serve HTTPS with this certificate")
    parser.add_argument("--tls-key", type=Path)
    args = parser.parse_args()
    git = shutil.which("git")
    if git is None:
        sys.exit("loopback_http: git is not installed")
    Handler.git_root = args.git_root.resolve()
    Handler.git_executable = git
    static = str(args.static.resolve())

    def handler(*a: Any, **kw: Any) -> Handler:
        return Handler(*a, directory=static, **kw)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    server.daemon_threads = True
    scheme = "http"
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(args.tls_cert), str(args.tls_key))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    print(f"serving on {scheme}://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
