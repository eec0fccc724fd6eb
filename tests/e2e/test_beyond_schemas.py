"""What only the API server knows: changes to rendered objects that the fast
JSON Schema tier (tests/support/schemas.py: the vendored CRD schemas and
kubernetes-validate --strict) accepts and the real API server refuses. Each
case takes an object that `preview up --database` renders, makes one change
a defect made or could make, shows the schema tier passes it, and shows the
server-side dry run refusing it with the rule's own message: a CEL rule of a
vendored CRD, a CEL transition rule (immutability of a stored field), and a
core immutable field (the database role Job's pod template, where a TTL
change once landed; fixed in the renderer, see render.py)."""

from __future__ import annotations

import copy
import subprocess
from typing import Any

import pytest
import yaml

from support import schemas
from support.cluster import Cluster
from support.gitops_env import wildside
from support.platform_tree import kustomize_text

PR = 61
SHA = "6" * 40
TTL = "previews.wildside.dev/ttl"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    root = tmp_path_factory.mktemp("apps")
    remote = root / "apps.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    env = {"WILDSIDE_CACHE_DIR": str(root / "cache"), "VAULT_ADDR": ""}
    wildside("apps", "init", "--repo", str(remote), env=env)
    wildside(
        "preview", "up", "--repo", str(remote), "--pr", str(PR), "--sha", SHA, "--database",
        env=env,
    )  # fmt: skip
    checkout = root / "checkout"
    subprocess.run(["git", "clone", "-q", str(remote), str(checkout)], check=True)
    text = kustomize_text(checkout / "overlays" / "ephemeral" / f"pr-{PR}")
    return [doc for doc in yaml.safe_load_all(text) if doc]


def one(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (found,) = (o for o in objects if o["kind"] == kind)
    return copy.deepcopy(found)


def with_namespace(cluster: Cluster, obj: dict[str, Any]) -> dict[str, Any]:
    namespace = obj["metadata"]["namespace"]
    cluster.apply([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}])
    return obj


def server_dry_run(cluster: Cluster, obj: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    return cluster.kubectl(
        "apply", "--server-side", "--dry-run=server", "--field-manager=wildside-e2e",
        "-f", "-",
        input=yaml.safe_dump(obj), check=False,
    )  # fmt: skip


def assert_refused(cluster: Cluster, obj: dict[str, Any], message: str) -> None:
    schemas.validate(obj)  # the fast tier has no objection
    completed = server_dry_run(cluster, obj)
    assert completed.returncode != 0, f"the API server accepted {obj['kind']}:\n{completed.stdout}"
    assert message in completed.stderr, completed.stderr


def test_a_crd_cel_rule_refuses_what_the_schema_accepts(
    cluster: Cluster, rendered: list[dict[str, Any]]
) -> None:
    release = with_namespace(cluster, one(rendered, "HelmRelease"))
    assert server_dry_run(cluster, release).returncode == 0
    # A chartRef (an OCI chart) added beside the rendered chart template.
    release["spec"]["chartRef"] = {"kind": "OCIRepository", "name": "wildside"}
    assert_refused(cluster, release, "either chart or chartRef must be set")


def test_a_cel_transition_rule_refuses_changing_a_stored_field(
    cluster: Cluster, rendered: list[dict[str, Any]]
) -> None:
    database = with_namespace(cluster, one(rendered, "Database"))
    cluster.apply([database])
    # The template database renamed in wildside.yaml while the preview lives.
    database["spec"]["template"] = "wildside_template_v2"
    assert_refused(cluster, database, "template is immutable")


def test_a_ttl_in_the_role_jobs_pod_template_cannot_be_changed(
    cluster: Cluster, rendered: list[dict[str, Any]]
) -> None:
    """The defect the renderer had: kustomize's commonAnnotations copied the
    TTL into every pod template, so `preview up --ttl` changed the Job's."""
    job = one(rendered, "Job")
    assert TTL not in (job["spec"]["template"].get("metadata") or {}).get("annotations", {})
    job["spec"]["template"].setdefault("metadata", {}).setdefault("annotations", {})[TTL] = "1w"
    cluster.apply([with_namespace(cluster, job)])
    job["spec"]["template"]["metadata"]["annotations"][TTL] = "3d"
    assert_refused(cluster, job, "field is immutable")
