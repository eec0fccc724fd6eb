"""The GitOps side of the live-cluster tests: a wildside-apps repository laid
out by the real CLI and served over HTTP, and the Flux objects the platform
renders for it (GitRepository, Receiver, the `previews` Kustomization),
applied to a harness cluster. Used by the e2e tests and the benchmark."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from support.cluster import FLUX_NAMESPACE, REPO_ROOT, Cluster, wait_until
from support.flux_substitute import substitute

EXAMPLE_CLUSTER = REPO_ROOT / "examples" / "clusters" / "dev.yaml"
PREVIEW_DOMAIN = "previews.dev.example.com"  # the dev example cluster's
WEBHOOK_SECRET = "wildside-apps-webhook-token"  # the Secret the rendered Receiver reads


def wildside(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Any:
    """Run the installed `wildside` console script as a user would; --json output.
    WILDSIDE_CLI names another executable (e.g. a build of another revision)."""
    executable = os.environ.get("WILDSIDE_CLI") or shutil.which(
        "wildside", path=f"{REPO_ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"
    )
    assert executable, "the wildside console script is missing: run scripts/test.sh"
    completed = subprocess.run(
        [executable, *args, "--json", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, f"wildside {' '.join(args)} failed:\n{completed.stderr}"
    return json.loads(completed.stdout)


def render_platform(
    output: Path, cluster: str, overrides: dict[str, Any], env: dict[str, str] | None = None
) -> Path:
    """`wildside platform render` of an example cluster config, with some
    settings changed the way an operator edits clusters/<cluster>.yaml."""
    config_dir = output.parent / f"{output.name}-config"
    config_dir.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((REPO_ROOT / "examples" / "clusters" / f"{cluster}.yaml").read_text())
    for dotted, value in overrides.items():
        target = config
        *parents, last = dotted.split(".")
        for key in parents:
            target = target.setdefault(key, {})
        target[last] = value
    (config_dir / f"{cluster}.yaml").write_text(yaml.safe_dump(config))
    wildside(
        "platform", "render", "--cluster", cluster, "--config-dir", str(config_dir),
        "--output", str(output), env=env,
    )  # fmt: skip
    return output


def cluster_vars(tree: Path, cluster: str) -> dict[str, str]:
    document = yaml.safe_load((tree / "clusters" / cluster / "cluster-vars.yaml").read_text())
    return {str(k): str(v) for k, v in document["data"].items()}


def rendered(tree: Path, relative: str, values: dict[str, str]) -> list[dict[str, Any]]:
    text = substitute((tree / relative).read_text(), values)
    return [doc for doc in yaml.safe_load_all(text) if doc]


def github_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class AppsEnvironment:
    """wildside-apps on loopback, reconciled by Flux in the harness cluster."""

    cluster: Cluster
    repo: Path  # bare repository the CLI pushes to
    url: str  # what source-controller clones
    token: str  # the Receiver's HMAC token (random per run, never logged)
    tree: Path  # the rendered platform tree the Flux objects come from
    cache: Path  # the CLI's WILDSIDE_CACHE_DIR

    @property
    def git_repository(self) -> str:
        return f"/apis/source.toolkit.fluxcd.io/v1/namespaces/{FLUX_NAMESPACE}/gitrepositories/wildside-apps"

    def kustomization(self, name: str) -> str:
        return f"/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/{FLUX_NAMESPACE}/kustomizations/{name}"

    def preview(self, *args: str) -> Any:
        return wildside(
            "preview", *args, "--repo", str(self.repo), env={"WILDSIDE_CACHE_DIR": str(self.cache)}
        )

    def head(self) -> str:
        return subprocess.run(
            ["git", "--git-dir", str(self.repo), "rev-parse", "main"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def webhook_url(self) -> str:
        receiver = wait_until(
            lambda: (
                (
                    self.cluster.get(
                        f"/apis/notification.toolkit.fluxcd.io/v1/namespaces/{FLUX_NAMESPACE}/receivers/wildside-apps"
                    )
                    or {}
                )
                .get("status", {})
                .get("webhookPath")
            ),
            timeout=60,
            what="the Receiver's webhook path",
        )
        return f"{self.cluster.info.receiver_url}{receiver}"

    def push_webhook(self, *, secret: str | None = None) -> httpx.Response:
        """What GitHub sends on a push to wildside-apps, signed with the token."""
        body = json.dumps(
            {
                "ref": "refs/heads/main",
                "after": self.head(),
                "repository": {"full_name": "example/wildside-apps", "clone_url": self.url},
                "pusher": {"name": "wildside-bot"},
            }
        ).encode()
        return httpx.post(
            self.webhook_url(),
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-GitHub-Event": "push",
                "X-GitHub-Delivery": secrets.token_hex(8),
                "X-Hub-Signature-256": github_signature(secret or self.token, body),
            },
            timeout=10,
        )

    def fetched(self, revision: str) -> bool:
        """source-controller holds an artifact of that commit."""
        repo = self.cluster.get(self.git_repository) or {}
        artifact = repo.get("status", {}).get("artifact") or {}
        return str(artifact.get("revision", "")).endswith(revision)

    def sync(self, *, timeout: float = 60) -> str:
        """Tell Flux about the new tip (the Receiver webhook) and wait until it has it."""
        head = self.head()
        response = self.push_webhook()
        assert response.status_code == 200, f"receiver answered {response.status_code}"
        wait_until(
            lambda: self.fetched(head), timeout=timeout, what=f"source-controller to fetch {head}"
        )
        return head

    def preview_ready(self, pr: int, revision: str | None = None) -> bool:
        path = self.kustomization(f"wildside-pr-{pr}")
        obj = self.cluster.get(path)
        if not self.cluster.is_ready(path) or not obj:
            return False
        return revision is None or str(obj["status"].get("lastAppliedRevision", "")).endswith(
            revision
        )

    def describe(self, pr: int) -> str:
        """What went wrong, for a timeout message."""
        parts = []
        for path in (
            self.kustomization(f"wildside-pr-{pr}"),
            f"/apis/helm.toolkit.fluxcd.io/v2/namespaces/wildside-pr-{pr}/helmreleases/wildside",
            f"/apis/source.toolkit.fluxcd.io/v1/namespaces/wildside-pr-{pr}/helmrepositories/app-chart",
        ):
            obj = self.cluster.get(path)
            parts.append(f"{path}: {json.dumps((obj or {}).get('status'))[:800]}")
        pods = self.cluster.items(f"/api/v1/namespaces/wildside-pr-{pr}/pods")
        parts.append(
            "pods: "
            + json.dumps(
                [
                    (p["metadata"]["name"], p["spec"].get("nodeName"), p["status"].get("phase"))
                    for p in pods
                ]
            )
        )
        nodes = self.cluster.items("/api/v1/nodes")
        parts.append(
            "nodes: "
            + json.dumps(
                [
                    (n["metadata"]["name"], (self.cluster.condition(n) or {}).get("status"))
                    for n in nodes
                ]
            )
        )
        events = self.cluster.items(f"/api/v1/namespaces/wildside-pr-{pr}/events")
        parts.append("events: " + "; ".join(str(e.get("message"))[:200] for e in events[-15:]))
        return "\n".join(parts)


def start_apps_environment(
    cluster: Cluster, workdir: Path, *, interval: str = "1h", name: str = "wildside-apps"
) -> AppsEnvironment:
    """apps init into a served bare repository, then the platform's own Flux
    objects for it: the GitRepository, the Receiver (its Secret stands in for
    the one External Secrets syncs from Vault) and the `previews` Kustomization.

    `previews` is applied without its dependsOn on platform-apps: that layer
    waits for the controllers layer, whose Helm charts cannot be fetched
    offline (see test_platform_layers.py). Everything else is as rendered."""
    repo, url = cluster.bare_repo(name)
    cache = workdir / "cache"
    env = {"WILDSIDE_CACHE_DIR": str(cache)}
    wildside(
        "apps", "init", "--repo", str(repo), "--chart-url", cluster.charts_url,
        "--preview-domain", PREVIEW_DOMAIN, env=env,
    )  # fmt: skip
    tree = render_platform(
        workdir / "platform",
        "dev",
        {"apps.url": url, "apps.interval": interval},
        env,
    )
    values = cluster_vars(tree, "dev")
    token = secrets.token_hex(24)
    cluster.apply(
        [
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": WEBHOOK_SECRET, "namespace": FLUX_NAMESPACE},
                "stringData": {"token": token},
            }
        ]
    )
    objects = [
        *rendered(tree, "platform/apps/source/gitrepository.yaml", values),
        *rendered(tree, "platform/receiver/github/receiver.yaml", values),
    ]
    previews = rendered(tree, "clusters/dev/previews.yaml", values)
    for obj in previews:
        obj["spec"].pop("dependsOn", None)
    cluster.apply([*objects, *previews])
    apps = AppsEnvironment(cluster, repo, url, token, tree, cache)
    wait_until(
        lambda: cluster.is_ready(apps.git_repository),
        timeout=60,
        what="the wildside-apps GitRepository to be Ready",
        detail=lambda: json.dumps((cluster.get(apps.git_repository) or {}).get("status")),
    )
    wait_until(
        lambda: cluster.is_ready(apps.kustomization("previews")),
        timeout=60,
        what="the previews Kustomization to be Ready",
        detail=lambda: json.dumps(
            (cluster.get(apps.kustomization("previews")) or {}).get("status")
        ),
    )
    return apps


def namespace_gone(cluster: Cluster, namespace: str) -> bool:
    return cluster.get(f"/api/v1/namespaces/{namespace}") is None


def elapsed_since(start: float) -> float:
    return time.monotonic() - start
