"""A throwaway PostgreSQL 15 server on a free loopback port. PostgreSQL
refuses to run as root and CI runs as root, so initdb and pg_ctl run as the
`postgres` user on a data directory chowned to it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path(os.environ.get("WILDSIDE_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER_PASSWORD = "pg-superuser-secret-4f7a9c"


@dataclass(frozen=True)
class Server:
    port: int
    password: str
    bin_dir: Path

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/{database}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(*command: str) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


@contextmanager
def running(*, fsync: bool = False, settings: dict[str, str] | None = None) -> Iterator[Server]:
    root = Path(tempfile.mkdtemp(prefix="wildside-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    pwfile = root / "pw"
    pwfile.write_text(SUPERUSER_PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        shutil.chown(pwfile, "postgres")
    subprocess.run(
        _as_postgres(
            str(PG_BIN / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--pwfile",
            str(pwfile),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
        ),
        check=True,
        capture_output=True,
    )
    port = free_port()
    options = [f"-F -p {port} -k {sockets} -c listen_addresses=127.0.0.1"]
    if fsync:
        options = [f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1"]
    for key, value in (settings or {}).items():
        options.append(f"-c {key}={value}")
    log = root / "server.log"
    subprocess.run(
        _as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "-o",
            " ".join(options),
            "start",
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield Server(port=port, password=SUPERUSER_PASSWORD, bin_dir=PG_BIN)
    finally:
        subprocess.run(
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
