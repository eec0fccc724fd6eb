"""What one cluster's External Secrets must be able to read in Vault, taken
from the platform tree it renders: the exact KV path of every ExternalSecret
(after the cluster's substitutions), the app environments it runs and, on the
cluster that hosts previews, the preview paths. `wildside vault bootstrap
--cluster-config` turns this into the cluster's own read-only policy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wildside.contract import names
from wildside.core.errors import BadInput
from wildside.core.yaml_io import load_documents
from wildside.platform import render
from wildside.platform.config import ClusterConfig

_VARIABLE = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class Reach:
    cluster: str
    platform_paths: tuple[str, ...]
    environments: tuple[str, ...]
    previews: bool
    namespaces: tuple[str, ...]  # where the platform's ExternalSecrets live


def _external_secrets(rendered: render.RenderedCluster) -> Iterator[dict[str, Any]]:
    texts = list(rendered.files.values())
    texts += [text for files in rendered.units.values() for text in files.values()]
    for text in texts:
        for document in load_documents(text):
            if isinstance(document, dict) and document.get("kind") == "ExternalSecret":
                yield document


def _keys(spec: dict[str, Any]) -> Iterator[str]:
    for item in spec.get("data") or []:
        yield str(item["remoteRef"]["key"])
    for item in spec.get("dataFrom") or []:
        if "extract" in item:
            yield str(item["extract"]["key"])


def _variables(rendered: render.RenderedCluster) -> dict[str, str]:
    (configmap,) = load_documents(rendered.files[f"{names.CLUSTER_VARS}.yaml"])
    return {str(k): str(v) for k, v in (configmap.get("data") or {}).items()}


def reach(cluster: ClusterConfig) -> Reach:
    rendered = render.render_cluster(cluster)
    variables = _variables(rendered)

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise BadInput(
                f"cluster {cluster.name}: an ExternalSecret reads ${{{name}}}, which the "
                "cluster config does not set: set it there (tofu outputs are not read here)"
            )
        return variables[name]

    paths: set[str] = set()
    namespaces: set[str] = set()
    for document in _external_secrets(rendered):
        namespaces.add(str(document["metadata"].get("namespace", "")))
        for key in _keys(document["spec"]):
            paths.add(_VARIABLE.sub(substitute, key))
    return Reach(
        cluster=cluster.name,
        platform_paths=tuple(sorted(paths)),
        environments=tuple(sorted(cluster.apps.overlays)),
        previews=cluster.hosts_previews,
        namespaces=tuple(sorted(n for n in namespaces if n)),
    )
