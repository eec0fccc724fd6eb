"""A preview's lifecycle annotations sit on every object's own metadata but
never in a pod template: a Job's template is immutable, so a TTL change that
reached it could not be applied (found by tests/e2e/test_server_dry_run.py
against the real API server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.kustomize import build

SHA = "3" * 40


def test_annotations_stay_out_of_pod_templates(
    cli: Any, bare_repo: Path, clone_remote: Any
) -> None:
    assert cli("apps", "init", "--repo", str(bare_repo), "--quiet").returncode == 0
    up = cli(
        "preview", "up", "--repo", str(bare_repo), "--pr", "5", "--sha", SHA,
        "--ttl", "72h", "--database", "--quiet",
    )  # fmt: skip
    assert up.returncode == 0, up.stderr
    objects = build(clone_remote(bare_repo) / "overlays" / "ephemeral" / "pr-5")
    assert any(o["kind"] == "Job" for o in objects)
    for obj in objects:
        annotations = obj["metadata"].get("annotations", {})
        assert annotations.get("previews.wildside.dev/ttl") == "3d", obj["metadata"]["name"]
        assert annotations.get("previews.wildside.dev/url") == "https://pr-5.previews.example.com"
        template = obj.get("spec", {}).get("template")
        if not isinstance(template, dict):  # a CNPG Database's template is a database name
            continue
        template_annotations = template.get("metadata", {}).get("annotations", {})
        assert not any(k.startswith("previews.wildside.dev/") for k in template_annotations), obj


def test_a_ttl_change_leaves_the_role_job_as_it_was(
    cli: Any, bare_repo: Path, clone_remote: Any
) -> None:
    """The defect: a TTL change reached the Job's immutable pod template, so
    Flux could apply nothing of the preview again, new SHA included."""
    assert cli("apps", "init", "--repo", str(bare_repo), "--quiet").returncode == 0

    def job_after(*args: str) -> dict[str, Any]:
        result = cli(
            "preview", "up", "--repo", str(bare_repo), "--pr", "6", "--quiet", *args
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        objects = build(clone_remote(bare_repo) / "overlays" / "ephemeral" / "pr-6")
        (job,) = [o for o in objects if o["kind"] == "Job"]
        return job

    first = job_after("--sha", SHA, "--database")
    changed = job_after("--sha", SHA, "--ttl", "24h")
    newer = job_after("--sha", "4" * 40, "--ttl", "48h")
    assert first["metadata"]["annotations"]["previews.wildside.dev/ttl"] != "1d"
    assert changed["metadata"]["annotations"]["previews.wildside.dev/ttl"] == "1d"
    assert newer["metadata"]["annotations"]["previews.wildside.dev/ttl"] == "2d"
    assert changed["spec"] == first["spec"] and newer["spec"] == first["spec"]
    # And when a newer wildside does change it, Flux recreates the Job rather
    # than failing the preview (tests/e2e/test_preview_role_job_live.py).
    assert first["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/force"] == "enabled"
