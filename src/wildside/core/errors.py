"""Errors the CLI turns into one-line messages and exit codes."""

from __future__ import annotations


class WildsideError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = 1


class BadInput(WildsideError, ValueError):
    """The user gave a value we refuse; nothing was written. Exit code 2.

    Also a ValueError, so that pydantic reports a BadInput raised by a field
    validator as an error of that field (with its location), which the loader
    of a configuration file turns into one line naming the file and the field
    (`wildside.core.validation.config_error`)."""

    exit_code = 2


class OperationalError(WildsideError):
    """Something outside the user's input failed (Git, network, a server). Exit code 1."""

    exit_code = 1
