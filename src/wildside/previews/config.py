"""The apps repository's own settings, kept in `wildside.yaml` at its root so
that `preview up` needs only a PR number and a SHA."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from wildside.contract import names
from wildside.contract.identity import longest_names
from wildside.core import validation
from wildside.previews import values_template

CONFIG_FILE = "wildside.yaml"


class Quota(BaseModel):
    """What one preview namespace may use (ResourceQuota and LimitRange)."""

    model_config = ConfigDict(extra="forbid")
    requests_cpu: str = "1"
    requests_memory: str = "2Gi"
    limits_cpu: str = "2"
    limits_memory: str = "4Gi"
    pods: int = 20
    persistent_volume_claims: int = 2
    default_request_cpu: str = "50m"
    default_request_memory: str = "64Mi"
    default_limit_cpu: str = "500m"
    default_limit_memory: str = "512Mi"

    @field_validator(
        "requests_cpu",
        "requests_memory",
        "limits_cpu",
        "limits_memory",
        "default_request_cpu",
        "default_request_memory",
        "default_limit_cpu",
        "default_limit_memory",
    )
    @classmethod
    def _quantity(cls, value: str, info: ValidationInfo) -> str:
        return validation.quantity(value, option=str(info.field_name))


class ChartSource(BaseModel):
    """Where Flux fetches the application chart from."""

    model_config = ConfigDict(extra="forbid")
    url: str = "oci://ghcr.io/wildside/charts"
    name: str = "wildside"
    version: str = "0.1.0"

    @property
    def is_oci(self) -> bool:
        return self.url.startswith("oci://")


class Toleration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    operator: Literal["Equal", "Exists"] = "Equal"
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None


class Scheduling(BaseModel):
    """Where preview pods run: the autoscaling previews node pool (labelled and
    tainted by the doks module), so previews never crowd staging or production."""

    model_config = ConfigDict(extra="forbid")
    node_selector: dict[str, str] = Field(
        default_factory=lambda: {names.PREVIEW_POOL_LABEL[0]: names.PREVIEW_POOL_LABEL[1]}
    )
    tolerations: list[Toleration] = Field(
        default_factory=lambda: [
            Toleration(
                key=names.PREVIEW_POOL_TAINT[0],
                value=names.PREVIEW_POOL_TAINT[1],
                effect=names.PREVIEW_POOL_TAINT[2],
            )
        ]
    )


class AppsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    app: str = names.DEFAULT_APP
    chart: ChartSource = Field(default_factory=ChartSource)
    images: dict[str, str] = Field(
        default_factory=lambda: {
            "backend": "ghcr.io/wildside/wildside-backend",
            "frontend": "ghcr.io/wildside/wildside-frontend",
        }
    )
    preview_domain: str = "previews.example.com"
    preview_ttl: str = "7d"
    production_host: str = "wildside.example.com"
    staging_host: str = "staging.wildside.example.com"
    ingress_namespace: str = names.INGRESS_NAMESPACE
    flux_namespace: str = names.FLUX_NAMESPACE
    source_name: str = names.APPS_SOURCE
    quota: Quota = Field(default_factory=Quota)
    scheduling: Scheduling = Field(default_factory=Scheduling)
    # The chart values of a preview, with `<< placeholder >>`s (values_template.py);
    # none given: the contract of charts/wildside for the components above.
    values_template: dict[str, Any] | None = None
    kind: Literal["wildside-apps"] = "wildside-apps"

    @field_validator("app")
    @classmethod
    def _app(cls, value: str) -> str:
        return validation.dns_label(value, option="app")

    @field_validator("app")
    @classmethod
    def _names_fit(cls, value: str) -> str:
        # Every name derived from the app must fit for the longest PR number.
        for what, (name, limit) in longest_names(value).items():
            if len(name) > limit:
                room = limit - (len(name) - len(value))
                raise ValueError(
                    f"app name {value!r} is too long: the {what} {name!r} would be "
                    f"{len(name)} characters (limit {limit}); use at most {room} characters"
                )
        return value

    @field_validator("preview_domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        return validation.domain(value, option="preview_domain")

    @field_validator("production_host", "staging_host")
    @classmethod
    def _host(cls, value: str, info: ValidationInfo) -> str:
        return validation.hostname(value, option=str(info.field_name))

    @field_validator("preview_ttl")
    @classmethod
    def _ttl(cls, value: str) -> str:
        validation.ttl(value, option="preview_ttl")
        return value

    @field_validator("images")
    @classmethod
    def _images(cls, value: dict[str, str]) -> dict[str, str]:
        for component, repository in value.items():
            validation.component_name(component, option="images")
            validation.image_repository(repository, option=f"images.{component}")
        return dict(sorted(value.items()))

    @model_validator(mode="after")
    def _values_template(self) -> AppsConfig:
        if self.values_template is None:
            self.values_template = values_template.default_template(list(self.images))
            return self
        unknown = values_template.unknown(self.values_template, list(self.images))
        if unknown:
            known = ", ".join(values_template.known_names(list(self.images)))
            raise ValueError(
                f"values_template uses unknown placeholder(s) {', '.join(unknown)}: "
                f"use only {known}"
            )
        return self

    def template(self) -> dict[str, Any]:
        return self.values_template or values_template.default_template(list(self.images))
