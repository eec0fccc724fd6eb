"""A real PostgreSQL 15 per test session (per xdist worker), a seeded
template, and the environment the `wildside db` commands read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from support import postgres


@pytest.fixture(scope="session")
def pg_server() -> Iterator[postgres.Server]:
    with postgres.running() as server:
        yield server


@pytest.fixture(scope="session")
def template_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("template")
    migrations = root / "migrations"
    migrations.mkdir()
    (migrations / "001_items.sql").write_text(
        "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);\n"
    )
    (migrations / "002_tags.sql").write_text("CREATE TABLE tags (item bigint, tag text);\n")
    seed = root / "seed.sql"
    seed.write_text("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 500) g;\n")
    return migrations, seed


@pytest.fixture(scope="session")
def seeded(pg_server: postgres.Server, template_inputs: tuple[Path, Path]) -> postgres.Server:
    """The default template, built once by the real command."""
    from wildside.databases import template
    from wildside.databases.dsn import resolve

    migrations, seed = template_inputs
    template.refresh(
        resolve(pg_server.dsn()),
        "wildside_template",
        template.TemplateSource(migrations=migrations, seed=seed),
    )
    return pg_server


@pytest.fixture
def db_env(seeded: postgres.Server, tmp_path: Path) -> dict[str, str]:
    """DSN through the environment (never argv); credentials to a temp dir;
    no Vault, so the 0600 file store is used."""
    return {
        "WILDSIDE_DB_DSN": seeded.dsn(),
        "WILDSIDE_DB_CREDENTIALS_DIR": str(tmp_path / "credentials"),
        "VAULT_ADDR": "",
        "VAULT_TOKEN": "",
        "WILDSIDE_PG_BIN": str(seeded.bin_dir),
    }


@pytest.fixture
def admin(seeded: postgres.Server) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(seeded.dsn(), autocommit=True) as connection:
        yield connection
