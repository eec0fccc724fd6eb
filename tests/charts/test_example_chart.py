"""The example chart satisfies the preview contract: it lints and renders
with exactly the values a preview patch produces."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import helm_python as helm
import yaml

from wildside.gitops.location import RepoLocation
from wildside.previews import repository as apps
from wildside.previews import service
from wildside.previews.config import AppsConfig
from wildside.previews.model import PreviewRequest

from support import kustomize, schemas
from support.pod_security import restricted_violations
from support.tools import REPO_ROOT

CHART = REPO_ROOT / "charts" / "wildside"


def preview_values(tmp_path: Path) -> dict[str, Any]:
    """Values of the HelmRelease that `preview up` renders, after kustomize."""
    config = AppsConfig(preview_domain="previews.test.dev")
    apps.apply_layout(tmp_path, config)
    service.apply_up(
        tmp_path,
        RepoLocation(url="file:///unused", branch="main"),
        PreviewRequest(pr=77, sha="0123456789abcdef0123456789abcdef01234567"),
        datetime(2026, 11, 26, tzinfo=UTC),
    )
    release = kustomize.by_kind(
        kustomize.build(tmp_path / "overlays/ephemeral/pr-77"), "HelmRelease"
    )[0]
    values: dict[str, Any] = release["spec"]["values"]
    return values


def test_chart_lints_strictly_with_preview_values(tmp_path: Path) -> None:
    report = helm.lint(str(CHART), preview_values(tmp_path), strict=True)
    errors = [m for m in report["messages"] if m["severity"] >= 2]
    assert not errors and not report["errors"], report


def test_chart_renders_the_preview(tmp_path: Path) -> None:
    values = preview_values(tmp_path)
    chart = helm.Chart.load(str(CHART))
    chart.validate_schema(values)
    manifests = chart.render(values, name="wildside", namespace="wildside-pr-77")
    objects = [doc for text in manifests.values() for doc in yaml.safe_load_all(text) if doc]
    schemas.validate_all(objects)
    deployments = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}
    backend = deployments["wildside-backend"]["spec"]["template"]["spec"]["containers"][0]
    assert (
        backend["image"]
        == "ghcr.io/wildside/wildside-backend:0123456789abcdef0123456789abcdef01234567"
    )
    assert backend["resources"]["requests"]
    pod = deployments["wildside-frontend"]["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"wildside.dev/pool": "previews"}
    assert pod["tolerations"] == [
        {
            "key": "wildside.dev/preview",
            "operator": "Equal",
            "value": "true",
            "effect": "NoSchedule",
        }
    ]
    for deployment in deployments.values():  # the preview namespace enforces `restricted`
        assert restricted_violations(deployment["spec"]["template"]["spec"]) == []
    ports = {p["name"]: p["containerPort"] for p in backend["ports"]}
    assert ports == {"http": 8080, "metrics": 9090}, "the PodMonitor scrapes the port `metrics`"
    assert (
        deployments["wildside-backend"]["spec"]["template"]["metadata"]["labels"][
            "app.kubernetes.io/name"
        ]
        == "wildside"
    )
    ingress = next(o for o in objects if o["kind"] == "Ingress")
    assert ingress["spec"]["rules"][0]["host"] == "pr-77.previews.test.dev"
    assert ingress["spec"]["ingressClassName"] == "traefik"
    assert ingress["spec"]["tls"][0]["hosts"] == ["pr-77.previews.test.dev"]
    assert not any(
        o["kind"] == "Service" and o["spec"].get("type") in {"LoadBalancer", "NodePort"}
        for o in objects
    )


def test_pod_security_check_refuses_what_restricted_forbids() -> None:
    """The static check the chart passes is not vacuous."""
    chart = helm.Chart.load(str(CHART))
    manifests = chart.render({}, name="wildside", namespace="x")
    objects = [doc for text in manifests.values() for doc in yaml.safe_load_all(text) if doc]
    pod = next(o for o in objects if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    assert restricted_violations(pod) == []
    container = pod["containers"][0]
    for change, found in (
        (lambda: pod.update(hostNetwork=True), "hostNetwork"),
        (lambda: container["securityContext"].update(allowPrivilegeEscalation=True), "Escalation"),
        (lambda: container["securityContext"]["capabilities"].update(add=["SYS_ADMIN"]), "adds"),
        (lambda: pod["securityContext"].pop("seccompProfile"), "seccompProfile"),
        (lambda: pod["securityContext"].pop("runAsNonRoot"), "runAsNonRoot"),
        (lambda: pod.update(volumes=[{"name": "h", "hostPath": {"path": "/"}}]), "hostPath"),
    ):
        change()
        assert any(found in v for v in restricted_violations(pod)), found


def test_secret_references_reach_the_backend() -> None:
    chart = helm.Chart.load(str(CHART))
    manifests = chart.render(
        {
            "secrets": {"existingSecret": "wildside-env"},
            "database": {"existingSecret": "wildside-db"},
        },
        name="wildside",
        namespace="x",
    )
    objects = [doc for text in manifests.values() for doc in yaml.safe_load_all(text) if doc]
    backend = next(
        o
        for o in objects
        if o["kind"] == "Deployment" and o["metadata"]["name"].endswith("backend")
    )
    env_from = backend["spec"]["template"]["spec"]["containers"][0]["envFrom"]
    assert env_from == [
        {"secretRef": {"name": "wildside-env"}},
        {"secretRef": {"name": "wildside-db"}},
    ]


def test_schema_refuses_values_that_break_the_contract() -> None:
    chart = helm.Chart.load(str(CHART))
    try:
        chart.validate_schema({"backend": {"image": {"tag": ""}}})
    except helm.HelmError:
        return
    raise AssertionError("an empty image tag must be refused by values.schema.json")
