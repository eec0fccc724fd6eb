"""`wildside preview up --database`: the overlay gains a schema-valid
CloudNativePG Database, the role Job and ExternalSecrets, builds with the
real kustomize, and `preview down` removes it. The Job's script runs here
against a real PostgreSQL 15."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import psycopg

from wildside.contract.identity import PreviewIdentity
from wildside.databases import declarative

from support import kustomize, postgres, schemas
from support.kustomize import by_kind

SHA = "0123456789abcdef0123456789abcdef01234567"


def test_up_with_database_renders_valid_resources_and_down_removes_them(
    cli: Any, bare_repo: Path, clone_remote: Any
) -> None:
    env = {"VAULT_ADDR": "", "VAULT_TOKEN": ""}
    assert cli("apps", "init", "--repo", str(bare_repo)).returncode == 0
    up = cli(
        "preview",
        "up",
        "--pr",
        "7",
        "--sha",
        SHA,
        "--database",
        "--repo",
        str(bare_repo),
        "--json",
        env=env,
    )
    assert up.returncode == 0, up.stderr
    assert up.json()["database"]["enabled"] is True
    assert "VAULT_ADDR" in up.stderr  # told where the credentials must come from

    worktree = clone_remote(bare_repo)
    overlay = worktree / "overlays/ephemeral/pr-7"
    objects = kustomize.build(overlay)
    schemas.validate_all(objects)
    (database,) = by_kind(objects, "Database")
    assert database["metadata"]["namespace"] == "databases"
    assert database["spec"] == {
        "name": "preview_wildside_pr_7",
        "owner": "preview_wildside_pr_7",
        "template": "wildside_template",
        "cluster": {"name": "previews-pg"},
        "ensure": "present",
        "databaseReclaimPolicy": "delete",
    }
    secrets = {obj["metadata"]["name"]: obj for obj in by_kind(objects, "ExternalSecret")}
    app_secret = secrets["wildside-database"]
    assert app_secret["metadata"]["namespace"] == "wildside-pr-7"
    assert app_secret["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "vault"}
    assert {d["remoteRef"]["key"] for d in app_secret["spec"]["data"]} == {
        "wildside/previews/wildside/pr-7"
    }
    assert "DATABASE_URL" in {d["secretKey"] for d in app_secret["spec"]["data"]}
    assert secrets["wildside-pr-7-db-role"]["metadata"]["namespace"] == "databases"
    (job,) = by_kind(objects, "Job")
    assert job["metadata"]["namespace"] == "databases"
    (release,) = by_kind(objects, "HelmRelease")
    assert release["spec"]["values"]["database"]["existingSecret"] == "wildside-database"

    flux_text = (overlay / "flux-kustomization.yaml").read_text()
    import yaml

    flux = yaml.safe_load(flux_text)
    schemas.validate(flux)
    assert flux["spec"]["healthCheckExprs"] == [
        {
            "apiVersion": "postgresql.cnpg.io/v1",
            "kind": "Database",
            "current": "status.applied == true",
            "failed": "status.applied == false",
        }
    ]
    again = cli(
        "preview",
        "up",
        "--pr",
        "7",
        "--sha",
        SHA,
        "--database",
        "--repo",
        str(bare_repo),
        "--json",
        env=env,
    )
    assert again.json()["changed"] is False

    down = cli("preview", "down", "--pr", "7", "--repo", str(bare_repo), env=env)
    assert down.returncode == 0, down.stderr
    # Only the tombstone stays; it names the role for `preview gc` to drop.
    left = sorted(p.name for p in (clone_remote(bare_repo) / "overlays/ephemeral/pr-7").iterdir())
    assert left == ["tombstone.yaml"]
    assert "postgres-role:preview_wildside_pr_7" in down.stdout


def test_role_job_script_against_real_postgres(
    seeded: postgres.Server, admin: psycopg.Connection[Any]
) -> None:
    """What the Job runs in the cluster: create the role, wait for the
    database CloudNativePG creates, hand it the template's objects, sweep
    roles of removed previews."""
    admin.execute("CREATE ROLE preview_pr_4242 LOGIN")
    admin.execute("COMMENT ON ROLE preview_pr_4242 IS 'wildside-preview pr=4242 created=1000'")
    password = "job-secret-'quoted'"
    env = {
        **os.environ,
        "PATH": f"{seeded.bin_dir}:{os.environ['PATH']}",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(seeded.port),
        "PGDATABASE": "postgres",
        "PGUSER": "postgres",
        "PGPASSWORD": seeded.password,
        "PREVIEW_PR": "120",
        "PREVIEW_ROLE": "preview_pr_120",
        "PREVIEW_DATABASE": "preview_pr_120",
        "PREVIEW_PASSWORD": password,
    }
    job = subprocess.Popen(
        [
            "sh",
            "-c",
            declarative.role_job(PreviewIdentity("wildside", 120))["spec"]["template"]["spec"][
                "containers"
            ][0]["command"][2],
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # What CloudNativePG does once the role exists.
    for _ in range(100):
        if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = 'preview_pr_120'").fetchone():
            break
        import time

        time.sleep(0.1)
    admin.execute("CREATE DATABASE preview_pr_120 TEMPLATE wildside_template OWNER preview_pr_120")
    stdout, stderr = job.communicate(timeout=60)
    assert job.returncode == 0, stderr
    assert password not in stdout + stderr
    with psycopg.connect(
        host="127.0.0.1",
        port=seeded.port,
        dbname="preview_pr_120",
        user="preview_pr_120",
        password=password,
    ) as app:
        owner = app.execute(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'items'"
        ).fetchone()
        assert owner == ("preview_pr_120",)
    assert (
        admin.execute("SELECT 1 FROM pg_roles WHERE rolname = 'preview_pr_4242'").fetchone() is None
    )
    admin.execute("DROP DATABASE preview_pr_120 WITH (FORCE)")
    admin.execute("DROP ROLE preview_pr_120")
