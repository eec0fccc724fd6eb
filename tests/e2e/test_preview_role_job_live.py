"""A database preview reconciled by Flux across a TTL change and a changed
role Job. The defect: the TTL reached the Job's immutable pod template, so
kustomize-controller failed the preview's whole apply and the preview,
new SHA included, stopped updating. Now a TTL change leaves the Job as it
was (Flux applies over it), and a Job whose template does change (a newer
wildside) is recreated by Flux (`kustomize.toolkit.fluxcd.io/force`).

No CloudNativePG runs in the harness: the test marks the `Database` applied
the way its controller would, so the preview's health check can pass."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from support.cluster import Cluster, wait_until
from support.gitops_env import AppsEnvironment, namespace_gone

PR = 112
JOB = f"/apis/batch/v1/namespaces/databases/jobs/wildside-pr-{PR}-db-role"
DATABASE = f"wildside-pr-{PR}-db"
TTL = "previews.wildside.dev/ttl"


def mark_database_applied(cluster: Cluster) -> bool:
    """What CloudNativePG does once the database exists."""
    found = cluster.kubectl(
        "-n", "databases", "get", f"databases.postgresql.cnpg.io/{DATABASE}", check=False
    )
    if found.returncode != 0:
        return False
    cluster.kubectl(
        "-n", "databases", "patch", f"databases.postgresql.cnpg.io/{DATABASE}",
        "--subresource=status", "--type=merge", "-p", '{"status": {"applied": true}}',
    )  # fmt: skip
    return True


def reconciled(cluster: Cluster, apps: AppsEnvironment, revision: str) -> None:
    wait_until(lambda: mark_database_applied(cluster), timeout=120, what="the Database to exist")
    wait_until(
        lambda: apps.preview_ready(PR, revision),
        timeout=240,
        what=f"preview {PR} to be Ready at {revision[:12]}",
        detail=lambda: apps.describe(PR),
    )


def job(cluster: Cluster) -> dict[str, Any]:
    found = cluster.get(JOB)
    assert found, "the role Job is missing"
    return found


def change_the_job_template(apps: AppsEnvironment, workdir: Path) -> None:
    """What a newer wildside's role Job looks like to Flux: a changed template."""
    checkout = workdir / "checkout"
    subprocess.run(["git", "clone", "-q", str(apps.repo), str(checkout)], check=True)
    path = checkout / "overlays" / "ephemeral" / f"pr-{PR}" / "database.yaml"
    documents = list(yaml.safe_load_all(path.read_text()))
    (role_job,) = [d for d in documents if d["kind"] == "Job"]
    env = role_job["spec"]["template"]["spec"]["containers"][0]["env"]
    (name,) = [e for e in env if e["name"] == "PGAPPNAME"]
    name["value"] = "wildside-preview-role-v2"
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    git = ["git", "-C", str(checkout), "-c", "user.name=e2e", "-c", "user.email=e2e@example.test"]
    subprocess.run([*git, "commit", "-qam", "a newer role Job"], check=True)
    subprocess.run([*git, "push", "-q", "origin", "HEAD:main"], check=True)


def test_ttl_changes_apply_and_a_changed_role_job_is_recreated(
    cluster: Cluster, apps: AppsEnvironment, tmp_path: Path
) -> None:
    cluster.apply([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "databases"}}])
    apps.preview("up", "--pr", str(PR), "--sha", "5" * 40, "--database")
    reconciled(cluster, apps, apps.sync())
    first = job(cluster)

    # The workflow's plain up with a new SHA, then a TTL change: both apply.
    apps.preview("up", "--pr", str(PR), "--sha", "6" * 40)
    reconciled(cluster, apps, apps.sync())
    apps.preview("up", "--pr", str(PR), "--sha", "6" * 40, "--ttl", "24h")
    reconciled(cluster, apps, apps.sync())
    kept = job(cluster)
    assert kept["metadata"]["uid"] == first["metadata"]["uid"]  # applied over, not recreated
    assert kept["metadata"]["annotations"][TTL] == "1d"

    change_the_job_template(apps, tmp_path)
    reconciled(cluster, apps, apps.sync())
    recreated = wait_until(
        lambda: (
            (found := cluster.get(JOB))
            and found["metadata"]["uid"] != first["metadata"]["uid"]
            and found
        ),
        timeout=60,
        what="Flux to recreate the changed role Job",
    )
    env = recreated["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "PGAPPNAME", "value": "wildside-preview-role-v2"} in env

    apps.preview("down", "--pr", str(PR))
    apps.sync()
    wait_until(
        lambda: namespace_gone(cluster, f"wildside-pr-{PR}") and cluster.get(JOB) is None,
        timeout=180,
        what=f"preview {PR}'s namespace and role Job to be pruned",
        detail=lambda: apps.describe(PR),
    )
