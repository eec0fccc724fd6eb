"""The monitoring component's typed settings: the `components.monitoring`
block of a cluster configuration, plus the cluster facts it needs. Secrets are
named by their Vault KV path, never carried."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from wildside.contract import names, vault_paths
from wildside.core import validation
from wildside.platform.config import Strict

_DURATION = re.compile(r"[0-9]+(ms|s|m|h|d|w|y)")
_SIZE = re.compile(r"[0-9]+(B|KB|MB|GB|TB|PB)")
_WEBHOOK_URL = re.compile(r"https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?")
_SMARTHOST = re.compile(r"[A-Za-z0-9.-]+:[0-9]{1,5}")
_SLACK_CHANNEL = re.compile(r"#[a-z0-9_-]{1,80}")
_LABEL_KEY = re.compile(r"([a-z0-9.-]{1,253}/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?")

GRAFANA_ADMIN_PATH = vault_paths.platform("monitoring/grafana")
ALERTMANAGER_PATH = vault_paths.platform("monitoring/alertmanager")
DOKS_NODE_POOL_LABEL = "doks.digitalocean.com/node-pool"


class Resources(Strict):
    """Requests and a memory limit (no CPU limit: throttling a TSDB hurts more
    than it protects)."""

    cpu: str
    memory: str
    memory_limit: str

    @field_validator("cpu", "memory", "memory_limit")
    @classmethod
    def _quantity(cls, value: str, info: ValidationInfo) -> str:
        return validation.quantity(value, option=str(info.field_name))

    def as_kubernetes(self) -> dict[str, dict[str, str]]:
        return {
            "requests": {"cpu": self.cpu, "memory": self.memory},
            "limits": {"memory": self.memory_limit},
        }


class Sizing(Strict):
    retention: str
    retention_size: str
    storage: str
    prometheus: Resources
    alertmanager: Resources
    grafana: Resources

    @field_validator("retention")
    @classmethod
    def _retention(cls, value: str) -> str:
        if not _DURATION.fullmatch(value):
            raise ValueError(f"retention {value!r} is not a Prometheus duration (e.g. 15d)")
        return value

    @field_validator("retention_size")
    @classmethod
    def _retention_size(cls, value: str) -> str:
        if not _SIZE.fullmatch(value):
            raise ValueError(f"retention_size {value!r} is not a size such as 40GB")
        return value


def _sizing(
    retention: str, size: str, storage: str, prom: tuple[str, str, str], small: str
) -> Sizing:
    return Sizing(
        retention=retention,
        retention_size=size,
        storage=storage,
        prometheus=Resources(cpu=prom[0], memory=prom[1], memory_limit=prom[2]),
        alertmanager=Resources(cpu="20m", memory="64Mi", memory_limit="128Mi"),
        grafana=Resources(cpu="50m", memory=small, memory_limit="512Mi"),
    )


# Presets per environment; every value can be overridden in the cluster file.
SIZING_PRESETS: dict[str, Sizing] = {
    "dev": _sizing("7d", "8GB", "10Gi", ("200m", "1Gi", "2Gi"), "128Mi"),
    "staging": _sizing("15d", "35GB", "40Gi", ("300m", "2Gi", "3Gi"), "192Mi"),
    "production": _sizing("30d", "90GB", "100Gi", ("500m", "4Gi", "6Gi"), "256Mi"),
}


class ReceiverSettings(Strict):
    """Where alerts go. Credentials (Slack webhook URL, generic webhook URL,
    SMTP password) live in Vault at `vault_path` and reach Alertmanager as
    mounted files; none of them is ever rendered into Git."""

    kind: Literal["none", "slack", "email", "webhook"] = "none"
    vault_path: str = ALERTMANAGER_PATH
    slack_channel: str | None = None
    webhook_url: str | None = None  # public endpoint; its bearer token comes from Vault
    email_to: str | None = None
    email_from: str | None = None
    smarthost: str | None = None
    email_username: str | None = None

    @field_validator("vault_path")
    @classmethod
    def _path(cls, value: str) -> str:
        return validation.kv_path(value, option="monitoring.receiver.vault_path")

    @field_validator("slack_channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value is not None and not _SLACK_CHANNEL.fullmatch(value):
            raise ValueError(f"slack_channel {value!r} is not a channel such as #alerts")
        return value

    @field_validator("email_to", "email_from")
    @classmethod
    def _email(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else validation.email(value, option=str(info.field_name))

    @field_validator("smarthost")
    @classmethod
    def _smarthost(cls, value: str | None) -> str | None:
        if value is not None and not _SMARTHOST.fullmatch(value):
            raise ValueError(f"smarthost {value!r} is not HOST:PORT (e.g. smtp.example.com:587)")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _WEBHOOK_URL.fullmatch(value):
            raise ValueError(
                f"webhook_url {value!r} is not an https:// URL without credentials or query: "
                "put the token in Vault, not in the URL"
            )
        return value

    @model_validator(mode="after")
    def _complete(self) -> ReceiverSettings:
        if self.kind == "webhook" and not self.webhook_url:
            raise ValueError("a webhook receiver needs webhook_url")
        if self.kind == "email" and not (self.email_to and self.email_from and self.smarthost):
            raise ValueError("an email receiver needs email_to, email_from and smarthost")
        return self


class Thresholds(Strict):
    """When alerts fire; each one is explained in docs/monitoring.md."""

    flux_not_ready_minutes: int = Field(default=15, ge=1, le=1440)
    certificate_expiry_days: int = Field(default=14, ge=1, le=90)
    replication_lag_seconds: int = Field(default=60, ge=1)
    node_pool_saturation: float = Field(default=0.9, gt=0, le=1)
    preview_stuck_minutes: int = Field(default=20, ge=5, le=1440)
    previews_near_cap_ratio: float = Field(default=0.8, gt=0, lt=1)
    preview_expired_grace_hours: int = Field(default=2, ge=1, le=168)


class MonitoringSettings(Strict):
    """Everything the monitoring component renders from."""

    cluster: str
    environment: Literal["dev", "staging", "production"] = "dev"
    grafana_host: str
    grafana_tls_issuer: str | None = None  # cert-manager ClusterIssuer for Grafana's certificate
    grafana_admin_path: str = GRAFANA_ADMIN_PATH
    vault_address: str | None = None  # scraped for vault_core_unsealed when set
    vault_ca_certificate: str | None = None  # PEM of a private CA that signed Vault's certificate
    app: str = "wildside"
    app_metrics_port: str = names.METRICS_PORT
    max_previews: int = Field(default=20, ge=1, le=1000)
    node_pool_label: str = DOKS_NODE_POOL_LABEL
    sizing: Sizing | None = None  # None: the preset of `environment`
    thresholds: Thresholds = Field(default_factory=Thresholds)
    receiver: ReceiverSettings = Field(default_factory=ReceiverSettings)
    namespace: str = names.MONITORING_NAMESPACE
    runbook_base_url: str = "docs/monitoring.md"  # alerts link to <this>#<alert name>

    @field_validator("cluster", "app", "namespace")
    @classmethod
    def _label(cls, value: str) -> str:
        return validation.dns_label(value, option="monitoring name")

    @field_validator("grafana_host")
    @classmethod
    def _host(cls, value: str) -> str:
        return validation.hostname(value, option="monitoring.grafana_host")

    @field_validator("grafana_admin_path")
    @classmethod
    def _admin_path(cls, value: str) -> str:
        return validation.kv_path(value, option="monitoring.grafana_admin_path")

    @field_validator("vault_address")
    @classmethod
    def _vault(cls, value: str | None) -> str | None:
        return None if value is None else validation.vault_address(value, option="vault_address")

    @field_validator("vault_ca_certificate")
    @classmethod
    def _ca(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return validation.pem_certificate(value, option="vault_ca_certificate")

    @field_validator("node_pool_label")
    @classmethod
    def _node_label(cls, value: str) -> str:
        if not _LABEL_KEY.fullmatch(value):
            raise ValueError(f"node_pool_label {value!r} is not a Kubernetes label key")
        return value

    @property
    def resolved_sizing(self) -> Sizing:
        return self.sizing or SIZING_PRESETS[self.environment]

    @property
    def vault_target(self) -> str | None:
        """host:port of the Vault API for the scrape job."""
        if self.vault_address is None:
            return None
        hostport = self.vault_address.removeprefix("https://")
        return hostport if ":" in hostport else f"{hostport}:443"

    @property
    def node_pool_metric_label(self) -> str:
        """The label kube-state-metrics gives the node-pool label on kube_node_labels."""
        return "label_" + re.sub(r"[^A-Za-z0-9_]", "_", self.node_pool_label)
