"""A real OpenBao server (non-dev mode) for the Vault tests, and helpers to
run `wildside vault bootstrap` against it (owned by the Vault tests)."""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from support.tools import require_tool


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Bao:
    """One OpenBao server process; `restart()` keeps its Raft data (and
    comes back sealed, like an appliance after a reboot)."""

    root: Path
    storage: str = "raft"
    tls: tuple[Path, Path] | None = None  # certificate, key
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def address(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.root / "bao.log"

    def config(self) -> str:
        cluster_port = free_port()
        if self.storage == "raft":
            storage = (
                f'storage "raft" {{\n  path = "{self.root / "data"}"\n  node_id = "node-1"\n'
                "  performance_multiplier = 1\n}\n"
            )
        else:
            storage = 'storage "inmem" {}\n'
        if self.tls:
            tls = f'  tls_cert_file = "{self.tls[0]}"\n  tls_key_file = "{self.tls[1]}"\n'
        else:
            tls = "  tls_disable = true\n"
        return (
            storage
            + f'listener "tcp" {{\n  address = "127.0.0.1:{self.port}"\n{tls}}}\n'
            + "disable_mlock = true\n"
            + f'api_addr = "{self.address}"\n'
            + f'cluster_addr = "https://127.0.0.1:{cluster_port}"\n'
        )

    def start(self) -> None:
        (self.root / "data").mkdir(parents=True, exist_ok=True)
        config = self.root / "bao.hcl"
        config.write_text(self.config())
        log = self.log.open("ab")
        self.process = subprocess.Popen(
            [require_tool("bao"), "server", f"-config={config}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        verify: bool | ssl.SSLContext = (
            ssl.create_default_context(cafile=str(self.tls[0])) if self.tls else False
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.address}/v1/sys/seal-status", verify=verify, timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise AssertionError(f"OpenBao did not start:\n{self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def health(self) -> dict[str, Any]:
        verify: bool | ssl.SSLContext = (
            ssl.create_default_context(cafile=str(self.tls[0])) if self.tls else False
        )
        response = httpx.get(f"{self.address}/v1/sys/health", verify=verify, timeout=5)
        body: dict[str, Any] = response.json()
        body["status_code"] = response.status_code
        return body


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_bootstrap(
    address: str | None, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Run:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VAULT_", "BAO_", "WILDSIDE_VAULT_"))
    }
    if address:
        environment["VAULT_ADDR"] = address
    environment.update(env or {})
    completed = subprocess.run(
        [require_tool("wildside"), "vault", "bootstrap", *args],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def statuses(stdout: str) -> dict[str, str]:
    return {step["name"]: step["status"] for step in json.loads(stdout)["steps"]}


def secret_needles(state: dict[str, Any]) -> list[str]:
    """Every form in which the state file's secrets could leak."""
    needles = []
    for key in state["unseal_keys_b64"]:
        needles.append(key)
        needles.append(base64.b64decode(key).hex())
    for name in ("root_token", "bootstrap_secret_id"):
        if state.get(name):
            needles.append(state[name])
    return needles


def make_certificate(directory: Path, name: str = "server") -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (it is its own CA)."""
    certificate, key = directory / f"{name}.pem", directory / f"{name}-key.pem"
    subprocess.run(
        [
            require_tool("openssl"),
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={name}",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key
