"""Any chart: the values template in wildside.yaml decides the shape of the
values, so charts/wildside (the default template) and a third-party-shaped
chart with a strict schema (tests/charts/strict-app: one image,
`ingress.hostname`, `existingSecretName`, additionalProperties: false) both
render a preview with the SHA, the host, TLS and the secret, rendered by Helm
(helm-python-sdk) after the real kustomize build."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
import yaml

from wildside.gitops.location import RepoLocation
from wildside.previews import repository as apps
from wildside.previews import service, values_template
from wildside.previews.config import AppsConfig
from wildside.previews.model import PreviewRequest
from wildside.vault import preview_overlay

from support import kustomize, schemas
from support.tools import REPO_ROOT

STRICT = Path(__file__).parent / "strict-app"
EXAMPLE = REPO_ROOT / "charts" / "wildside"
SHA = "0123456789abcdef0123456789abcdef01234567"
NOW = datetime(2026, 11, 26, tzinfo=UTC)
LOCATION = RepoLocation(url="file:///unused", branch="main")
ADDONS = service.AddOns(secrets=preview_overlay.overlay)


def strict_config() -> AppsConfig:
    template = yaml.safe_load((STRICT / "values-template.yaml").read_text())
    return AppsConfig(
        app="strict",
        images={"app": "ghcr.io/acme/strict-app"},
        preview_domain="previews.test.dev",
        values_template=template,
    )


def release_values(worktree: Path, overlay: str) -> dict[str, Any]:
    release = kustomize.by_kind(kustomize.build(worktree / overlay), "HelmRelease")[0]
    values: dict[str, Any] = release["spec"]["values"]
    return values


def preview(tmp_path: Path, config: AppsConfig, pr: int) -> dict[str, Any]:
    apps.apply_layout(tmp_path, config)
    request = PreviewRequest(pr=pr, sha=SHA, secrets=True)
    service.apply_up(tmp_path, LOCATION, request, NOW, addons=ADDONS)
    return release_values(tmp_path, f"overlays/ephemeral/pr-{pr}")


def rendered(chart: Path, values: dict[str, Any], namespace: str) -> list[dict[str, Any]]:
    loaded = helm.Chart.load(str(chart))
    loaded.validate_schema(values)
    report = helm.lint(str(chart), values, strict=True)
    assert not report["errors"], report
    assert not [m for m in report["messages"] if m["severity"] >= 2], report
    manifests = loaded.render(values, name="release", namespace=namespace)
    objects = [doc for text in manifests.values() for doc in yaml.safe_load_all(text) if doc]
    schemas.validate_all(objects)
    return objects


def one(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (found,) = [o for o in objects if o["kind"] == kind]
    return found


def test_a_strict_third_party_chart_renders_the_preview(tmp_path: Path) -> None:
    values = preview(tmp_path, strict_config(), 77)
    assert set(values) <= {
        "image", "ingress", "existingSecretName", "podAnnotations", "nodeSelector", "tolerations",
    }  # fmt: skip
    objects = rendered(STRICT, values, "strict-pr-77")
    pod = one(objects, "Deployment")["spec"]["template"]
    container = pod["spec"]["containers"][0]
    assert container["image"] == f"ghcr.io/acme/strict-app:{SHA}"
    assert container["envFrom"] == [{"secretRef": {"name": "strict-env"}}]
    assert pod["spec"]["nodeSelector"] == {"wildside.dev/pool": "previews"}
    assert pod["spec"]["tolerations"][0]["key"] == "wildside.dev/preview"
    # A placeholder inside a longer string is interpolated in that string only.
    assert pod["metadata"]["annotations"] == {"example.com/preview": "pr 77 of strict"}
    ingress = one(objects, "Ingress")["spec"]
    assert ingress["rules"][0]["host"] == "pr-77.previews.test.dev"
    assert ingress["tls"] == [{"hosts": ["pr-77.previews.test.dev"]}]


def test_the_strict_charts_long_lived_environments_pass_its_schema(tmp_path: Path) -> None:
    config = strict_config()
    apps.apply_layout(tmp_path, config)
    for overlay, host in (
        ("overlays/production", config.production_host),
        ("overlays/staging", config.staging_host),
    ):
        values = release_values(tmp_path, overlay)
        objects = rendered(STRICT, values, f"strict-{overlay.rsplit('/', 1)[1]}")
        assert one(objects, "Ingress")["spec"]["rules"][0]["host"] == host
        image = one(objects, "Deployment")["spec"]["template"]["spec"]["containers"][0]["image"]
        assert image == "ghcr.io/acme/strict-app:latest"


def test_the_default_template_is_the_example_charts_contract(tmp_path: Path) -> None:
    values = preview(tmp_path, AppsConfig(preview_domain="previews.test.dev"), 78)
    objects = rendered(EXAMPLE, values, "wildside-pr-78")
    images = {
        o["metadata"]["name"]: o["spec"]["template"]["spec"]["containers"][0]["image"]
        for o in objects
        if o["kind"] == "Deployment"
    }
    assert images == {
        "release-backend": f"ghcr.io/wildside/wildside-backend:{SHA}",
        "release-frontend": f"ghcr.io/wildside/wildside-frontend:{SHA}",
    }
    ingress = one(objects, "Ingress")["spec"]
    assert ingress["rules"][0]["host"] == "pr-78.previews.test.dev"
    assert ingress["tls"][0]["hosts"] == ["pr-78.previews.test.dev"]


def test_without_the_template_the_strict_chart_refuses_the_values(tmp_path: Path) -> None:
    """What the issue measured: the example chart's shape is refused by a strict chart."""
    config = AppsConfig(
        app="strict", images={"app": "ghcr.io/acme/strict-app"}, preview_domain="p.test.dev"
    )
    values = preview(tmp_path, config, 79)
    with pytest.raises(helm.HelmError):
        helm.Chart.load(str(STRICT)).validate_schema(values)


def test_substitution_is_structural_never_textual() -> None:
    template = {
        "a": "<< pr >>",
        "b": "<< scheduling.nodeSelector >>",
        "c": ["x-<< sha >>", "<< preview >>"],
        "d": "<< host >>",
    }
    context = values_template.Context(
        app="demo",
        namespace="demo-pr-1",
        host="evil.test\nkind: Secret",  # text that would inject YAML if pasted
        tag="abc1234",
        images={},
        pr=1,
        preview=True,
        node_selector={"pool": "previews"},
    )
    values = values_template.render(template, context)
    assert values == {
        "a": 1,
        "b": {"pool": "previews"},
        "c": ["x-abc1234", True],
        "d": "evil.test\nkind: Secret",
    }


def test_an_unknown_placeholder_is_refused(cli: Any, bare_repo: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="nosuch"):
        AppsConfig(values_template={"image": "<< nosuch >>"})
    template = tmp_path / "values.yaml"
    template.write_text("image:\n  tag: << images.backend.tga >>\n")
    result = cli("apps", "init", "--repo", str(bare_repo), "--values-template", str(template))
    assert result.returncode == 2
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "images.backend.tga" in line and "images.backend.tag" in line


def test_apps_init_writes_the_given_template(cli: Any, bare_repo: Path, clone_remote: Any) -> None:
    result = cli(
        "apps", "init", "--repo", str(bare_repo), "--app", "strict", "--image",
        "app=ghcr.io/acme/strict-app", "--values-template", str(STRICT / "values-template.yaml"),
        "-q",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    stored = yaml.safe_load((clone_remote(bare_repo) / "wildside.yaml").read_text())
    assert stored["values_template"]["ingress"]["hostname"] == "<< host >>"
