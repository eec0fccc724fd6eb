"""A cluster's part of the wildside-infra tree as a pure function of its
configuration: `clusters/<cluster>/` (Flux entry points, one Flux
Kustomization per layer, the cluster's substitution values and patches) and
the `platform/<component>/<unit>/` folders it uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wildside.contract import kube, names
from wildside.core.errors import BadInput
from wildside.core.yaml_io import dump, dump_documents
from wildside.platform import hosts
from wildside.platform.components import cert_manager, registry
from wildside.platform.components.base import Component, Host, Patch, Unit, require
from wildside.platform.components.sources import repository_units
from wildside.platform.config import ClusterConfig
from wildside.platform.layers import Layer

CLUSTERS_DIR = "clusters"
PLATFORM_DIR = "platform"
FLUX_SYSTEM_DIR = "flux-system"  # written by `flux bootstrap`; never touched by the renderer
MANDATORY = ("sources", "apps")
LAYER_OBJECT = {
    Layer.SOURCES: "platform-sources",
    Layer.CONTROLLERS: "platform-controllers",
    Layer.CONFIGS: "platform-configs",
    Layer.APPS: "platform-apps",
    Layer.PREVIEWS: "previews",
}
_LAYER_TIMING = {  # interval, timeout
    Layer.SOURCES: ("30m", "3m"),
    Layer.CONTROLLERS: ("30m", "15m"),
    Layer.CONFIGS: ("30m", "15m"),
    Layer.APPS: ("10m", "5m"),
    Layer.PREVIEWS: ("5m", "5m"),
}


@dataclass(frozen=True)
class RenderedCluster:
    name: str
    components: tuple[str, ...]
    layers: tuple[Layer, ...]
    files: dict[str, str]  # relative to clusters/<name>/, without the root kustomization.yaml
    units: dict[str, dict[str, str]]  # "<component>/<unit>" -> {file: text}


def unit_path(component: str, unit: Unit) -> str:
    return f"{component}/{unit.name}"


def enabled_components(cluster: ClusterConfig) -> list[tuple[Component[Any], Any]]:
    """The cluster's components with parsed settings, in registry order;
    refuses unknown names and unmet requirements."""
    for name in cluster.components:
        registry.get(name, cluster=cluster.name)
    wanted = set(cluster.components) | set(MANDATORY)
    chosen: list[tuple[Component[Any], Any]] = []
    for name, component in registry.components().items():
        if name not in wanted:
            continue
        for needed in component.requires:
            require(cluster, needed in wanted, name, f"the {needed} component: enable it too")
        settings = component.parse_settings(cluster)
        component.check(cluster, settings)
        chosen.append((component, settings))
    return chosen


def cluster_variables(cluster: ClusterConfig) -> dict[str, str]:
    values = {
        "cluster_name": cluster.name,
        "environment": cluster.environment,
        "region": cluster.region,
        "preview_domain": cluster.preview_domain,
    }
    if cluster.dns is not None:
        values.update(
            {
                "dns_provider": cluster.dns.provider,
                "dns_zone": cluster.dns.zone,
                "dns_token_path": cluster.dns.token_path,
                "dns_token_key": cluster.dns.token_key,
            }
        )
    return values


def unit_files(unit: Unit) -> dict[str, str]:
    files = {name: dump_documents(documents) for name, documents in sorted(unit.files.items())}
    files["kustomization.yaml"] = dump(kube.kustomization(sorted(unit.files)))
    return files


def _flux_kustomization(
    cluster: ClusterConfig, layer: Layer, after: Layer | None
) -> dict[str, Any]:
    interval, timeout = _LAYER_TIMING[layer]
    spec: dict[str, Any] = {"interval": interval, "retryInterval": "1m", "timeout": timeout}
    if layer is Layer.PREVIEWS:
        # Each preview is its own Flux Kustomization: a broken one must not block this layer.
        spec.update(
            {
                "path": "./overlays/ephemeral",
                "prune": True,
                "wait": False,
                "sourceRef": {"kind": "GitRepository", "name": names.APPS_SOURCE},
            }
        )
    else:
        spec.update(
            {
                "path": f"./{CLUSTERS_DIR}/{cluster.name}/{layer.directory}",
                "prune": True,
                "wait": layer is not Layer.APPS,
                "sourceRef": {"kind": "GitRepository", "name": cluster.flux_source},
                "postBuild": {
                    "substituteFrom": [{"kind": "ConfigMap", "name": names.CLUSTER_VARS}]
                },
            }
        )
    if layer is Layer.APPS:
        # Later layers need the wildside-apps source, not healthy applications.
        spec["healthChecks"] = [
            {
                "apiVersion": kube.SOURCE_API,
                "kind": "GitRepository",
                "name": names.APPS_SOURCE,
                "namespace": names.FLUX_NAMESPACE,
            }
        ]
    if after is not None:
        spec["dependsOn"] = [{"name": LAYER_OBJECT[after]}]
    labels = {"app.kubernetes.io/managed-by": "wildside", "wildside.dev/layer": layer.directory}
    return {
        "apiVersion": kube.FLUX_KUSTOMIZE_API,
        "kind": "Kustomization",
        "metadata": kube.metadata(LAYER_OBJECT[layer], names.FLUX_NAMESPACE, labels=labels),
        "spec": dict(sorted(spec.items())),
    }


def _layer_folder(layer: Layer, refs: list[str], patches: list[Patch]) -> dict[str, str]:
    """The cluster's folder of one layer: its kustomization.yaml, the
    cluster's own files, and a kustomization.yaml per component subfolder."""
    folder = layer.directory
    resources = sorted(refs) + sorted({p.entry for p in patches if p.resource})
    patch_entries = [
        {"path": p.file, "target": dict(sorted(p.target.items()))}
        for p in sorted(patches, key=lambda p: p.file)
        if not p.resource
    ]
    files = {
        f"{folder}/kustomization.yaml": dump(
            kube.kustomization(resources, patches=patch_entries or None)
        )
    }
    grouped: dict[str, list[str]] = {}
    for patch in patches:
        files[f"{folder}/{patch.file}"] = dump_documents(patch.documents)
        if patch.resource and patch.entry != patch.file:
            grouped.setdefault(patch.entry, []).append(patch.file.split("/", 1)[1])
    for group, members in grouped.items():
        files[f"{folder}/{group}/kustomization.yaml"] = dump(kube.kustomization(sorted(members)))
    return files


def _check_issuers(
    cluster: ClusterConfig, chosen: list[tuple[Component[Any], Any]], served: list[Host]
) -> None:
    issuers = set(cert_manager.ACME_SERVERS)
    for _, settings in chosen:
        if isinstance(settings, cert_manager.CertManagerSettings) and settings.vault_pki:
            issuers.add(cert_manager.VAULT_PKI_ISSUER)
    for host in served:
        if host.issuer is not None and host.issuer not in issuers:
            raise BadInput(
                f"cluster {cluster.name}: host {host.name} asks for ClusterIssuer "
                f"{host.issuer!r}, which the cluster does not have: choose one of "
                f"{', '.join(sorted(issuers))}"
            )


def render_cluster(cluster: ClusterConfig) -> RenderedCluster:
    chosen = enabled_components(cluster)
    charts = [chart for component, s in chosen for chart in component.charts(cluster, s)]
    variables = cluster_variables(cluster)
    units: dict[str, tuple[str, Unit]] = {}
    patches: list[Patch] = []
    served: list[Host] = []
    for component, settings in chosen:
        served.extend(component.hosts(cluster, settings))
        component_units = (
            repository_units(charts)
            if component.name == "sources"
            else component.units(cluster, settings)
        )
        for unit in component_units:
            units[unit_path(component.name, unit)] = (component.name, unit)
        patches.extend(component.patches(cluster, settings))
        for key, value in component.variables(cluster, settings).items():
            if variables.setdefault(key, value) != value:
                raise RuntimeError(f"variable {key!r} set twice with different values")

    if any(component.name == "traefik" for component, _ in chosen):
        served = hosts.unique(cluster, served)
        _check_issuers(cluster, chosen, served)
        patches.extend(hosts.patches(cluster, served))
        if extra := hosts.extra_dns_names(cluster, served):
            variables[hosts.HOSTNAMES_VARIABLE] = extra

    files: dict[str, str] = {}
    layers: list[Layer] = []
    for layer in Layer:
        refs = [
            f"../../../{PLATFORM_DIR}/{path}" for path, (_, u) in units.items() if u.layer is layer
        ]
        layer_patches = [p for p in patches if p.layer is layer]
        if layer is Layer.PREVIEWS:
            if not cluster.hosts_previews:
                continue
        elif not refs and not layer_patches:
            continue
        after = layers[-1] if layers else None
        files[f"{layer.directory}.yaml"] = dump(_flux_kustomization(cluster, layer, after))
        if layer is not Layer.PREVIEWS:
            files.update(_layer_folder(layer, refs, layer_patches))
        layers.append(layer)
    files[f"{names.CLUSTER_VARS}.yaml"] = dump(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": kube.metadata(
                names.CLUSTER_VARS,
                names.FLUX_NAMESPACE,
                labels={"app.kubernetes.io/managed-by": "wildside"},
            ),
            "data": dict(sorted(variables.items())),
        }
    )
    return RenderedCluster(
        name=cluster.name,
        components=tuple(component.name for component, _ in chosen),
        layers=tuple(layers),
        files=files,
        units={path: unit_files(unit) for path, (_, unit) in sorted(units.items())},
    )


def root_kustomization(rendered: RenderedCluster, *, flux_system: bool) -> str:
    """clusters/<cluster>/kustomization.yaml: what the bootstrap Kustomization
    (path ./clusters/<cluster>) applies; it includes flux-system/ when present."""
    resources = [f"{names.CLUSTER_VARS}.yaml"]
    resources += [f"{layer.directory}.yaml" for layer in rendered.layers]
    if flux_system:
        resources.insert(0, FLUX_SYSTEM_DIR)
    return dump(kube.kustomization(resources))
