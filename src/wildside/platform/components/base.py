"""What a platform component is: a small module that turns a cluster's
configuration into folders of manifests, each applied by one Flux layer.

A component's folders (`platform/<component>/<unit>/`) are shared by every
cluster in the repository, so their content must not depend on the cluster:
per-cluster values are `${variables}` (Flux `postBuild.substituteFrom` the
cluster's `cluster-vars` ConfigMap) or kustomize patches the component puts
in the cluster's own layer folder. The cluster chooses which units it uses."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from wildside.core import validation
from wildside.core.errors import BadInput
from wildside.platform.config import ClusterConfig
from wildside.platform.layers import Layer
from wildside.platform.manifests import HelmChart

Document = dict[str, Any]


class NoSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


S = TypeVar("S", bound=BaseModel)


@dataclass(frozen=True)
class Unit:
    """One folder `platform/<component>/<name>/`, applied by `layer`.
    `files` maps a file name to its YAML documents; the kustomization.yaml
    listing them is added by the renderer."""

    name: str
    layer: Layer
    files: dict[str, list[Document]]


@dataclass(frozen=True)
class Patch:
    """A cluster-specific file in the cluster's layer folder: a kustomize
    patch applied to the objects of the units that layer includes (`target`
    selects them), or with `resource=True` extra objects of that cluster.
    A resource file may sit in a subfolder named after its component
    (`monitoring/rules.yaml`); the renderer gives that folder its own
    kustomization.yaml, so a component's files stay together."""

    layer: Layer
    file: str
    document: Document | list[Document]
    target: dict[str, str] = field(default_factory=dict)
    resource: bool = False

    @property
    def documents(self) -> list[Document]:
        return self.document if isinstance(self.document, list) else [self.document]

    @property
    def entry(self) -> str:
        """What the layer's kustomization.yaml lists: the file, or its folder."""
        return self.file.split("/", 1)[0]


@dataclass(frozen=True)
class Host:
    """A host name the cluster serves through Traefik. The renderer makes
    sure a certificate covers it and a DNS record points at Traefik."""

    name: str
    issuer: str | None = None  # a ClusterIssuer of its own; None: the cluster's ACME issuer


class Component(ABC, Generic[S]):
    """Subclass, set the class attributes, implement `units`; register the
    instance in `wildside.platform.components.registry`."""

    name: ClassVar[str]
    settings_model: ClassVar[type[BaseModel]] = NoSettings
    # API groups whose CRDs this component's controllers install (the dependency-order test uses it)
    crd_groups: ClassVar[tuple[str, ...]] = ()
    # other components this one cannot work without (e.g. anything reading Vault needs `vault`)
    requires: ClassVar[tuple[str, ...]] = ()

    def parse_settings(self, cluster: ClusterConfig) -> S:
        raw = cluster.components.get(self.name, {})
        try:
            return self.settings_model.model_validate(raw)  # type: ignore[return-value]
        except ValidationError as error:
            raise validation.config_error(
                f"cluster {cluster.name}", error, within=("components", self.name)
            ) from None

    def check(self, cluster: ClusterConfig, settings: S) -> None:
        """Refuse (BadInput) a cluster that lacks what this component needs."""

    def charts(self, cluster: ClusterConfig, settings: S) -> list[HelmChart]:
        return []

    @abstractmethod
    def units(self, cluster: ClusterConfig, settings: S) -> list[Unit]: ...

    def patches(self, cluster: ClusterConfig, settings: S) -> list[Patch]:
        return []

    def variables(self, cluster: ClusterConfig, settings: S) -> dict[str, str]:
        """Per-cluster values for `${name}` in this component's units."""
        return {}

    def hosts(self, cluster: ClusterConfig, settings: S) -> list[Host]:
        """Host names this component serves through the ingress controller."""
        return []


def require(cluster: ClusterConfig, condition: object, component: str, what: str) -> None:
    if not condition:
        raise BadInput(f"cluster {cluster.name}: component {component} needs {what}")
