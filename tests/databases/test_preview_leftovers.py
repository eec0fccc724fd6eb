"""`preview down` cannot drop a preview's database role (CloudNativePG drops the
database only after Flux prunes it), so the tombstone records it and
`preview gc` finishes it against real PostgreSQL: never while the role still
owns a database, never a role without the wildside marker for that PR; and gc
clears tombstones once they are old and nothing is left behind."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml

from wildside.core import clock
from wildside.gitops import location as locations
from wildside.previews import repository as apps
from wildside.previews import service

from support import postgres
from support.github_server import FakeGitHub

ROLE = "preview_wildside_pr_31"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    server = FakeGitHub().start()
    yield server
    server.stop()


def tombstone(bare: Path, pr: int) -> dict[str, Any] | None:
    shown = subprocess.run(
        ["git", "--git-dir", str(bare), "show", f"main:overlays/ephemeral/pr-{pr}/tombstone.yaml"],
        capture_output=True,
        text=True,
        check=False,
    )
    return yaml.safe_load(shown.stdout) if shown.returncode == 0 else None


def test_gc_finishes_the_role_down_left_behind_and_clears_old_tombstones(
    cli: Any,
    bare_repo: Path,
    github: FakeGitHub,
    seeded: postgres.Server,
    admin: psycopg.Connection[Any],
) -> None:
    assert cli("apps", "init", "--repo", str(bare_repo), "-q").returncode == 0
    up = cli("preview", "up", "--repo", str(bare_repo), "--pr", "31", "--sha", "a" * 40,
             "--database", "-q", env={"VAULT_ADDR": ""})  # fmt: skip
    assert up.returncode == 0, up.stderr
    down = cli("preview", "down", "--repo", str(bare_repo), "--pr", "31", "--json",
               env={"VAULT_ADDR": ""})  # fmt: skip
    assert down.returncode == 0, down.stderr
    assert down.json()["left_behind"] == [
        "vault:wildside/previews/wildside/pr-31",
        f"postgres-role:{ROLE}",
    ]
    # An old teardown with nothing left behind, written 40 days ago.
    location = locations.resolve(
        str(bare_repo), None, env_variable=apps.ENV_VARIABLE, default_dir=apps.DEFAULT_DIR
    )
    service.down(location, 32, now=clock.utc_now() - timedelta(days=40))
    # What the role Job created, and the database CloudNativePG has not dropped yet.
    admin.execute(f"CREATE ROLE {ROLE} LOGIN")
    admin.execute(f"COMMENT ON ROLE {ROLE} IS 'wildside-preview pr=31 created=1000'")
    admin.execute(f"CREATE DATABASE {ROLE} OWNER {ROLE}")
    env = github.env() | {"WILDSIDE_DB_DSN": seeded.dsn(), "VAULT_ADDR": ""}
    try:
        first = cli("preview", "gc", "--repo", str(bare_repo), "--json", "-q", env=env)
        assert first.returncode == 0, first.stderr
        tombstones = first.json()["tombstones"]
        assert tombstones["cleared"] == [32]
        waiting = tombstones["left_behind"].get("31")
        assert waiting, first.stdout
        assert f"postgres-role:{ROLE} (owns a database still)" in waiting
        assert admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone()
        assert tombstone(bare_repo, 32) is None

        admin.execute(f"DROP DATABASE {ROLE}")  # Flux pruned the Database
        second = cli("preview", "gc", "--repo", str(bare_repo), "--json", "-q", env=env)
        assert second.returncode == 0, second.stderr
        assert not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone()
        # Vault was not reachable from this run: the path stays recorded, the role is struck.
        stored = tombstone(bare_repo, 31)
        assert stored is not None
        assert stored["leftBehind"] == ["vault:wildside/previews/wildside/pr-31"]
        assert second.json()["tombstones"]["left_behind"]["31"] == [
            "vault:wildside/previews/wildside/pr-31"
        ]
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {ROLE}")
        admin.execute(f"DROP ROLE IF EXISTS {ROLE}")


def test_a_role_without_the_marker_is_never_dropped(
    seeded: postgres.Server, admin: psycopg.Connection[Any]
) -> None:
    from wildside.databases.dsn import resolve
    from wildside.databases.preview_roles import RoleOutcome, drop_preview_role

    admin.execute("CREATE ROLE preview_wildside_pr_33 LOGIN")
    try:
        dsn = resolve(seeded.dsn())
        assert drop_preview_role(dsn, "preview_wildside_pr_33", 33) is RoleOutcome.FOREIGN
        admin.execute(
            "COMMENT ON ROLE preview_wildside_pr_33 IS 'wildside-preview pr=34 created=1'"
        )
        assert drop_preview_role(dsn, "preview_wildside_pr_33", 33) is RoleOutcome.FOREIGN
        assert drop_preview_role(dsn, "preview_wildside_pr_35", 35) is RoleOutcome.ABSENT
    finally:
        admin.execute("DROP ROLE IF EXISTS preview_wildside_pr_33")


def test_orphan_roles_go_once_old_marked_and_owning_nothing(
    seeded: postgres.Server, admin: psycopg.Connection[Any]
) -> None:
    from wildside.cli import preview_gc
    from wildside.databases.dsn import resolve

    roles = {
        "preview_wildside_pr_60": "wildside-preview pr=60 created=1000",  # orphan
        "preview_wildside_pr_61": "wildside-preview pr=61 created=1000",  # live preview
        "preview_wildside_pr_62": None,  # no marker: never ours
        "preview_other_pr_63": "wildside-preview pr=63 created=1000",  # another app's
    }
    for role, comment in roles.items():
        admin.execute(f"CREATE ROLE {role} LOGIN")
        if comment:
            admin.execute(f"COMMENT ON ROLE {role} IS '{comment}'")
    try:
        dsn = resolve(seeded.dsn())
        now = clock.utc_now()
        finished, found = preview_gc._external_orphans("wildside", {61}, None, dsn, now, False)
        assert found == ["postgres-role:preview_wildside_pr_60"]
        assert finished == {60: {"postgres-role:preview_wildside_pr_60"}}
        remaining = {
            row[0]
            for row in admin.execute(
                "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (list(roles),)
            ).fetchall()
        }
        assert remaining == set(roles) - {"preview_wildside_pr_60"}
    finally:
        for role in roles:
            admin.execute(f"DROP ROLE IF EXISTS {role}")
