"""A loopback TCP proxy that holds back the reply to one kind of HTTP
request: the request reaches the server at once, its reply reaches the
client only after `delay` seconds. It opens the windows in which a real
client can be killed while the server has already acted (e.g. Vault's
`sys/init` has created keys that are still on their way back)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass
class DelayProxy:
    upstream: tuple[str, int]
    marker: bytes  # a request whose first bytes contain this is delayed
    delay: float
    forwarded: threading.Event = field(default_factory=threading.Event)
    forwarded_at: float | None = None
    replied_at: float | None = None
    _listener: socket.socket | None = None
    _threads: list[threading.Thread] = field(default_factory=list)
    _closing: threading.Event = field(default_factory=threading.Event)

    def start(self) -> DelayProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(32)
        listener.settimeout(0.2)
        self._listener = listener
        self._spawn(self._accept)
        return self

    @property
    def address(self) -> str:
        assert self._listener is not None
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def close(self) -> None:
        self._closing.set()
        if self._listener is not None:
            self._listener.close()
        for thread in self._threads:
            thread.join(timeout=self.delay + 5)

    def __enter__(self) -> DelayProxy:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            delayed = threading.Event()
            self._spawn(self._pump_requests, client, server, delayed)
            self._spawn(self._pump_replies, server, client, delayed)

    def _pump_requests(
        self, client: socket.socket, server: socket.socket, delayed: threading.Event
    ) -> None:
        with contextlib.suppress(OSError):
            while chunk := client.recv(65536):
                if self.marker in chunk:
                    delayed.set()
                server.sendall(chunk)
                if delayed.is_set() and not self.forwarded.is_set():
                    self.forwarded_at = time.monotonic()
                    self.forwarded.set()
        with contextlib.suppress(OSError):
            server.shutdown(socket.SHUT_WR)

    def _pump_replies(
        self, server: socket.socket, client: socket.socket, delayed: threading.Event
    ) -> None:
        with contextlib.suppress(OSError):
            while chunk := server.recv(65536):
                if delayed.is_set():
                    self._closing.wait(self.delay)
                    delayed.clear()
                    self.replied_at = time.monotonic()
                client.sendall(chunk)
        for sock in (client, server):
            with contextlib.suppress(OSError):
                sock.close()
