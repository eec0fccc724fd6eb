"""Credentials in Vault (an OpenBao dev server): `db create` stores them,
`db drop` removes only its own keys, `preview up --database` generates the
password once."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hvac
import psycopg
import pytest

from wildside.contract.identity import PreviewIdentity
from wildside.databases import credentials, declarative
from wildside.vault import client as vault_client

from support import postgres
from support.tools import require_tool

TOKEN = "wildside-dev-root"  # a throwaway dev server


@pytest.fixture(scope="module")
def vault() -> Iterator[str]:
    port = postgres.free_port()
    address = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            require_tool("bao"),
            "server",
            "-dev",
            f"-dev-root-token-id={TOKEN}",
            f"-dev-listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = hvac.Client(url=address, token=TOKEN)
        for _ in range(100):
            try:
                if client.sys.is_initialized():
                    break
            except Exception:
                time.sleep(0.1)
        yield address
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_create_and_drop_keep_the_password_in_vault(
    cli: Any, db_env: dict[str, str], vault: str
) -> None:
    client = hvac.Client(url=vault, token=TOKEN)
    client.secrets.kv.v2.create_or_update_secret(
        path="wildside/previews/wildside/pr-130",
        secret={"API_KEY": "keep-me"},
        mount_point="secret",
    )
    env = {**db_env, "VAULT_ADDR": vault, "VAULT_TOKEN": TOKEN}
    created = cli("db", "create", "--pr", "130", "--json", env=env)
    assert created.returncode == 0, created.stderr
    assert created.json()["credentials"] == "vault:secret/wildside/previews/wildside/pr-130"
    assert not Path(db_env["WILDSIDE_DB_CREDENTIALS_DIR"]).exists()
    data = client.secrets.kv.v2.read_secret_version(
        path="wildside/previews/wildside/pr-130",
        mount_point="secret",
        raise_on_deleted_version=False,
    )["data"]["data"]
    assert data["API_KEY"] == "keep-me"
    assert data["PGPASSWORD"] not in created.stdout + created.stderr
    with psycopg.connect(data["DATABASE_URL"]) as app:
        assert app.execute("SELECT count(*) FROM items").fetchone() == (500,)

    dropped = cli("db", "drop", "--pr", "130", "--json", env=env)
    assert dropped.returncode == 0 and dropped.json()["removed_credentials"] is True
    left = client.secrets.kv.v2.read_secret_version(
        path="wildside/previews/wildside/pr-130",
        mount_point="secret",
        raise_on_deleted_version=False,
    )["data"]["data"]
    assert left == {"API_KEY": "keep-me"}


def test_declarative_extras_generate_the_password_once(vault: str) -> None:
    store = credentials.VaultStore(vault_client.make(vault, TOKEN))
    identity = PreviewIdentity("wildside", 131)
    declarative.prepare(store, identity)
    first = store.password(131)
    declarative.prepare(store, identity)
    assert first and store.password(131) == first
    client = hvac.Client(url=vault, token=TOKEN)
    meta = client.secrets.kv.v2.read_secret_metadata(
        path="wildside/previews/wildside/pr-131", mount_point="secret"
    )
    assert meta["data"]["current_version"] == 1  # the re-run wrote nothing
    data = client.secrets.kv.v2.read_secret_version(
        path="wildside/previews/wildside/pr-131",
        mount_point="secret",
        raise_on_deleted_version=False,
    )["data"]["data"]
    assert data["PGHOST"] == "previews-pg-rw.databases.svc.cluster.local"
    assert data["PGUSER"] == "preview_wildside_pr_131"  # the app is part of the name
