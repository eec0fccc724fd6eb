"""How commands talk: one JSON object with --json, readable lines otherwise,
progress on stderr (live on a terminal, plain lines in CI)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any, TextIO


def emit_json(result: Any) -> None:
    sys.stdout.write(json.dumps(result, sort_keys=True, default=str) + "\n")


def emit(result: Any, *, as_json: bool, human: Callable[[Any], str]) -> None:
    """Print a command's result: JSON on request, otherwise the human rendering."""
    if as_json:
        emit_json(result)
    else:
        text = human(result)
        if text:
            sys.stdout.write(text.rstrip("\n") + "\n")


class Progress:
    """Progress lines on stderr. On a terminal a line replaces the previous one;
    elsewhere (CI, pipes) each step is a plain line. `quiet` silences it."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self._stream = stream or sys.stderr
        self._quiet = quiet or os.environ.get("WILDSIDE_QUIET") == "1"
        self._live = self._stream.isatty() and os.environ.get("CI") is None
        self._open_line = False

    def step(self, message: str) -> None:
        if self._quiet:
            return
        if self._live:
            self._stream.write("\r\033[K" + message)
            self._open_line = True
        else:
            self._stream.write(message + "\n")
        self._stream.flush()

    def done(self) -> None:
        if self._open_line:
            self._stream.write("\r\033[K")
            self._stream.flush()
            self._open_line = False


SILENT = Progress(quiet=True)
