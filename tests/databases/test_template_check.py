"""`db create` and `db pool fill` clone only a template that `db template
refresh` made (IS_TEMPLATE and the wildside-template marker), against a real
PostgreSQL 15. Anything else is one line, exit 2, and nothing is written: no
database, no role, no credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from wildside.contract import db_marker

FORGED = db_marker.template_comment("0" * 64)


@pytest.fixture
def undeclared(admin: psycopg.Connection[Any]) -> Any:
    """Databases that look like templates in every way but one."""
    admin.execute("CREATE DATABASE plain_template TEMPLATE wildside_template IS_TEMPLATE true")
    admin.execute("CREATE DATABASE forged_live TEMPLATE wildside_template")
    admin.execute(f"COMMENT ON DATABASE forged_live IS '{FORGED}'")
    admin.execute("CREATE DATABASE wrong_marker TEMPLATE wildside_template IS_TEMPLATE true")
    admin.execute("COMMENT ON DATABASE wrong_marker IS 'wildside-template sha256=abc'")
    yield
    for name in ("plain_template", "forged_live", "wrong_marker"):
        admin.execute(f"ALTER DATABASE {name} IS_TEMPLATE false")
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("postgres", "not made by `wildside db template refresh`"),
        ("template1", "not made by `wildside db template refresh`"),
        ("plain_template", "no wildside-template marker"),  # IS_TEMPLATE, no marker
        ("forged_live", "no wildside-template marker"),  # marker, but a live database
        ("wrong_marker", "no wildside-template marker"),
        ("no_such_template", "no such database"),
    ],
)
def test_create_and_fill_refuse_a_template_refresh_did_not_make(
    cli: Any,
    db_env: dict[str, str],
    admin: psycopg.Connection[Any],
    undeclared: None,
    template: str,
    says: str,
) -> None:
    before = sorted(
        str(row[0])
        for row in admin.execute(
            "SELECT datname FROM pg_database UNION ALL SELECT rolname FROM pg_roles"
        )
    )
    created = cli("db", "create", "--pr", "120", "--template", template, env=db_env)
    filled = cli("db", "pool", "fill", "--size", "1", "--template", template, env=db_env)
    for result in (created, filled):
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and template in lines[0] and says in lines[0], lines
        assert "template refresh" in lines[0]  # names the fix
        assert "Traceback" not in result.stderr
    after = sorted(
        str(row[0])
        for row in admin.execute(
            "SELECT datname FROM pg_database UNION ALL SELECT rolname FROM pg_roles"
        )
    )
    assert after == before
    assert not (Path(db_env["WILDSIDE_DB_CREDENTIALS_DIR"]) / "pr-120.env").exists()


def test_a_refreshed_template_is_accepted(cli: Any, db_env: dict[str, str]) -> None:
    created = cli("db", "create", "--pr", "121", "--json", env=db_env)
    assert created.returncode == 0, created.stderr
    assert created.json()["created"] is True
    assert cli("db", "drop", "--pr", "121", env=db_env).returncode == 0
