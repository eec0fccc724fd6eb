"""The `--dsn` connection string: parsed once, never echoed. Every message
that could contain it goes through `redact`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import quote

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from wildside.core.errors import BadInput

ENV_VARIABLE = "WILDSIDE_DB_DSN"
REDACTED = "***"


@dataclass(frozen=True)
class Dsn:
    """A parsed connection string. `repr` hides the secret."""

    conninfo: str
    password: str | None

    def __repr__(self) -> str:
        return "Dsn(***)"

    def for_database(self, database: str) -> str:
        return make_conninfo(self.conninfo, dbname=database)

    def field(self, name: str) -> str | None:
        value = conninfo_to_dict(self.conninfo).get(name)
        return None if value is None else str(value)

    def redact(self, text: str) -> str:
        if self.password:
            text = text.replace(self.password, REDACTED).replace(quote(self.password), REDACTED)
        return text


def resolve(value: str | None) -> Dsn:
    raw = value or os.environ.get(ENV_VARIABLE)
    if not raw:
        raise BadInput(f"no database given: pass --dsn or set ${ENV_VARIABLE}")
    try:
        parsed = conninfo_to_dict(raw)
    except psycopg.ProgrammingError:
        # The parser's message may quote the string, password included: say less.
        raise BadInput(
            "--dsn is not a PostgreSQL connection string: give postgresql://USER@HOST:PORT/DB "
            "or 'host=... user=... dbname=...'"
        ) from None
    password = parsed.get("password")
    return Dsn(conninfo=make_conninfo(raw), password=None if password is None else str(password))


def url(user: str, password: str, host: str, port: str, database: str) -> str:
    """A libpq URL for the application (stored in Vault or a 0600 file only)."""
    secret = quote(password, safe="")
    return f"postgresql://{quote(user, safe='')}:{secret}@{host}:{port}/{quote(database, safe='')}"
