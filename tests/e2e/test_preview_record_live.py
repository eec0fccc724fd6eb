"""The preview record against the real API server: a preview made with
`--database`, applied for real, then the workflow's plain `up` (new SHA, no
flags) and a TTL change applied over it. The database objects stay (the
record keeps the option) and nothing touches an immutable field (the role
Job's pod template): each next commit passes a server-side dry-run over the
previous objects, then is applied for real."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from support.cluster import Cluster
from support.gitops_env import wildside
from support.platform_tree import kustomize_text

SHAS = ("d" * 40, "e" * 40, "f" * 40)


def build(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(kustomize_text(path)) if doc]


def test_plain_ups_keep_the_database_and_apply_over_the_previous_objects(
    cluster: Cluster, tmp_path: Path
) -> None:
    remote = tmp_path / "apps.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    env = {"WILDSIDE_CACHE_DIR": str(tmp_path / "cache"), "VAULT_ADDR": ""}
    repo = ["--repo", str(remote)]
    wildside("apps", "init", *repo, env=env)
    wildside("preview", "up", *repo, "--pr", "19", "--sha", SHAS[0], "--database", env=env)
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(remote), str(checkout)], check=True)
    overlay = checkout / "overlays/ephemeral/pr-19"
    previous = build(overlay)
    namespaces = {o["metadata"].get("namespace") for o in previous} - {None}
    cluster.apply(
        [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in namespaces]
    )
    cluster.apply(previous)
    job = next(o for o in previous if o["kind"] == "Job")

    for sha, extra in ((SHAS[1], []), (SHAS[2], ["--ttl", "72h"])):
        wildside("preview", "up", *repo, "--pr", "19", "--sha", sha, *extra, env=env)
        subprocess.run(["git", "-C", str(checkout), "pull", "-q"], check=True)
        current = build(overlay)
        kinds = {o["kind"] for o in current}
        assert {"Job", "Database", "ExternalSecret"} <= kinds, kinds
        assert next(o for o in current if o["kind"] == "Job")["spec"] == job["spec"]
        cluster.apply(current, dry_run=True)
        cluster.apply(current)
    live = cluster.get(f"/apis/batch/v1/namespaces/databases/jobs/{job['metadata']['name']}")
    assert live is not None
    assert live["metadata"]["annotations"]["previews.wildside.dev/ttl"] == "3d"
