"""A cluster's typed configuration: one YAML or TOML file per cluster in the
infra repository's `clusters/` configuration directory. Everything here is
safe to commit: secrets are named by their Vault KV path, never carried."""

from __future__ import annotations

import re
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
from wildside.core import validation

_GIT_URL = re.compile(r"(https://|ssh://)[^\s]+")
_REGION = re.compile(r"[a-z0-9-]{2,32}")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DnsSettings(Strict):
    """The DNS provider that serves the zone (ExternalDNS and cert-manager DNS-01)."""

    provider: Literal["digitalocean", "cloudflare"] = "digitalocean"
    zone: str
    token_path: str  # Vault KV path holding the provider API token
    token_key: str = "token"  # noqa: S105 - the KV property name

    @field_validator("zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return validation.domain(value, option="dns.zone")

    @field_validator("token_path")
    @classmethod
    def _token_path(cls, value: str) -> str:
        return validation.kv_path(value, option="dns.token_path")


class VaultSettings(Strict):
    """How External Secrets reaches Vault. Authentication is the Vault
    Kubernetes auth method: the cluster's own service-account tokens, so no
    credential exists in Git."""

    address: str
    kv_mount: str = names.VAULT_KV_MOUNT
    auth_mount: str = names.VAULT_KUBERNETES_AUTH_MOUNT
    role: str = names.VAULT_ESO_ROLE
    ca_certificate: str | None = None  # PEM of the CA that signed Vault's certificate (public)

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        return validation.vault_address(value, option="vault.address")

    @field_validator("kv_mount", "auth_mount")
    @classmethod
    def _mount(cls, value: str, info: ValidationInfo) -> str:
        return validation.vault_mount(value, option=f"vault.{info.field_name}")

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        return validation.dns_label(value, option="vault.role")

    @field_validator("ca_certificate")
    @classmethod
    def _ca(cls, value: str | None) -> str | None:
        return (
            None
            if value is None
            else validation.pem_certificate(value, option="vault.ca_certificate")
        )


class AppsSettings(Strict):
    """The wildside-apps repository this cluster reconciles."""

    url: str
    branch: str = "main"
    overlays: list[Literal["production", "staging"]] = Field(default_factory=list)
    # The host each overlay serves (production_host / staging_host of wildside.yaml):
    # the platform gives it a certificate and a DNS record.
    hosts: dict[Literal["production", "staging"], str] = Field(default_factory=dict)
    credentials_path: str | None = None  # Vault KV path with username/password (private repo)
    interval: str = "5m"

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if (
            not _GIT_URL.fullmatch(value.strip())
            or "@" in value.split("://", 1)[1].split("/", maxsplit=1)[0]
        ):
            raise ValueError(
                f"apps.url {value!r} is not a Git URL without credentials: use "
                "https://github.com/OWNER/wildside-apps (credentials come from Vault)"
            )
        return value.strip()

    @field_validator("branch")
    @classmethod
    def _branch(cls, value: str) -> str:
        return validation.branch(value, option="apps.branch")

    @field_validator("credentials_path")
    @classmethod
    def _credentials(cls, value: str | None) -> str | None:
        return None if value is None else validation.kv_path(value, option="apps.credentials_path")

    @field_validator("overlays")
    @classmethod
    def _overlays(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    @field_validator("hosts")
    @classmethod
    def _hosts(cls, value: dict[str, str]) -> dict[str, str]:
        return {
            env: validation.hostname(host, option=f"apps.hosts.{env}")
            for env, host in value.items()
        }

    @model_validator(mode="after")
    def _every_overlay_has_a_host(self) -> AppsSettings:
        for environment in self.overlays:
            if environment not in self.hosts:
                raise ValueError(
                    f"apps.overlays lists {environment} but apps.hosts.{environment} is missing: "
                    f"give the host it serves (the {environment}_host of wildside.yaml)"
                )
        for environment in self.hosts:
            if environment not in self.overlays:
                raise ValueError(
                    f"apps.hosts.{environment} is set but apps.overlays does not list "
                    f"{environment}: add it there or remove the host"
                )
        return self

    @property
    def repository(self) -> str:
        return repository_key(self.url)


def repository_key(url: str) -> str:
    """What names one repository however its URL is written: host and path,
    without scheme, port, trailing slash or `.git`, in lower case
    (`https://github.com/Acme/apps.git` and `ssh://github.com:22/acme/apps`
    are one repository)."""
    rest = url.strip().split("://", 1)[-1].lower()
    host, _, path = rest.partition("/")
    return host.split(":", 1)[0] + "/" + path.rstrip("/").removesuffix(".git").rstrip("/")


class ClusterConfig(Strict):
    """One cluster: what it hosts and which platform components it runs.
    `components` maps a component name to that component's own settings."""

    kind: Literal["wildside-cluster"] = "wildside-cluster"
    name: str
    environment: Literal["dev", "staging", "production"] = "dev"
    region: str = "fra1"
    preview_domain: str
    hosts_previews: bool = True
    flux_source: str = "flux-system"  # the GitRepository `flux bootstrap` created for this repo
    apps: AppsSettings
    dns: DnsSettings | None = None
    vault: VaultSettings | None = None
    components: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        validation.dns_label(value, option="cluster name")
        if len(value) > 40:
            raise ValueError(f"cluster name {value!r} is longer than 40 characters")
        return value

    @field_validator("flux_source")
    @classmethod
    def _flux_source(cls, value: str) -> str:
        return validation.dns_label(value, option="flux_source")

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if not _REGION.fullmatch(value):
            raise ValueError(f"region {value!r} is not a region slug (e.g. fra1)")
        return value

    @field_validator("preview_domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        return validation.domain(value, option="preview_domain")

    @field_validator("components", mode="before")
    @classmethod
    def _components(cls, value: Any) -> Any:
        if isinstance(value, list):  # `components: [traefik, ...]` means default settings
            return {str(item): {} for item in value}
        if isinstance(value, dict):
            return {key: (item if item is not None else {}) for key, item in value.items()}
        return value

    @model_validator(mode="after")
    def _zone_holds_domain(self) -> ClusterConfig:
        if self.dns is not None:
            zone = self.dns.zone
            named = [("preview_domain", self.preview_domain)]
            named += [(f"apps.hosts.{env}", host) for env, host in self.apps.hosts.items()]
            for option, host in named:
                if host != zone and not host.endswith("." + zone):
                    raise ValueError(
                        f"{option} {host!r} is not inside dns.zone {zone!r}: "
                        "ExternalDNS and the DNS-01 solver can only write records in that zone"
                    )
        return self
