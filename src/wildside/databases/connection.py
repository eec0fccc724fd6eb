"""Connections to the server behind `--dsn`: autocommit (CREATE/DROP
DATABASE cannot run in a transaction), errors redacted and turned into
one-line OperationalErrors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from wildside.core.errors import OperationalError
from wildside.databases.dsn import Dsn

APPLICATION_NAME = "wildside"


def _message(dsn: Dsn, error: BaseException) -> str:
    text = " ".join(str(error).split())
    return dsn.redact(text) or type(error).__name__


@contextmanager
def connect(
    dsn: Dsn, database: str | None = None
) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    conninfo = dsn.for_database(database) if database else dsn.conninfo
    try:
        connection = psycopg.connect(
            conninfo, autocommit=True, connect_timeout=10, application_name=APPLICATION_NAME
        )
    except psycopg.Error as error:
        target = database or dsn.field("dbname") or "the server"
        raise OperationalError(f"cannot connect to {target}: {_message(dsn, error)}") from None
    try:
        yield connection
    except psycopg.Error as error:
        raise OperationalError(f"PostgreSQL refused: {_message(dsn, error)}") from None
    finally:
        connection.close()
