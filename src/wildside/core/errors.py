"""Errors the CLI turns into one-line messages and exit codes."""

from __future__ import annotations


class WildsideError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = 1


class BadInput(WildsideError):
    """The user gave a value we refuse; nothing was written. Exit code 2."""

    exit_code = 2


class OperationalError(WildsideError):
    """Something outside the user's input failed (Git, network, a server). Exit code 1."""

    exit_code = 1
