"""`redis`: a Redis-compatible cache (Valkey, official chart). Its password
lives in Vault and reaches the pod through an ExternalSecret, so the release
is applied with the configs layer, after External Secrets is running."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from wildside.contract import names, vault_paths
from wildside.core import validation
from wildside.platform.components.base import Component, Unit
from wildside.platform.config import ClusterConfig
from wildside.platform.layers import Layer
from wildside.platform.manifests import (
    HelmChart,
    external_secret,
    helm_release,
    namespace,
    resources,
)

CHART = HelmChart("valkey", "https://valkey.io/valkey-helm/", "valkey", "1.0.0")
USERS_SECRET = "valkey-users"  # noqa: S105 - a Secret's name


class RedisSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # Vault KV path; property `password`
    password_path: str = vault_paths.platform("redis")
    password_key: str = "password"  # noqa: S105 - the KV property name
    name: str = names.REDIS_SERVICE  # the Service (and host) apps connect to
    storage: str = "2Gi"

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return validation.dns_label(value, option="redis.name")

    @field_validator("password_path")
    @classmethod
    def _path(cls, value: str) -> str:
        return validation.kv_path(value, option="redis.password_path")


# What Pod Security `restricted` asks of a container beyond the chart's pod
# defaults (non-root user, RuntimeDefault seccomp): the redis namespace enforces it.
# A fresh dict per use: a shared one would be written as a YAML alias.
def _restricted_container() -> dict[str, object]:
    return {
        "runAsNonRoot": True,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
    }


def _values() -> dict[str, object]:
    return {
        "auth": {
            "enabled": True,
            "usersExistingSecret": USERS_SECRET,
            "aclUsers": {"default": {"permissions": "~* &* +@all", "passwordKey": "default"}},
        },
        "fullnameOverride": "${redis_name}",
        "dataStorage": {"enabled": True, "requestedSize": "${redis_storage:=2Gi}"},
        "resources": resources("50m", "128Mi", "512Mi"),
        "securityContext": _restricted_container(),
        "serviceAccount": {"create": True, "automount": False},
        # The exporter sidecar serves the port the `valkey` PodMonitor scrapes
        # (container port `metrics`); without it that PodMonitor finds no target.
        # The chart reads its password from the same users Secret.
        "metrics": {
            "enabled": True,
            "exporter": {
                "resources": resources("10m", "32Mi", "64Mi"),
                "securityContext": _restricted_container(),
            },
        },
    }


class Redis(Component[RedisSettings]):
    name = "redis"
    settings_model = RedisSettings
    requires = ("vault",)

    def charts(self, cluster: ClusterConfig, settings: RedisSettings) -> list[HelmChart]:
        return [CHART]

    def units(self, cluster: ClusterConfig, settings: RedisSettings) -> list[Unit]:
        users = external_secret(
            USERS_SECRET,
            names.REDIS_NAMESPACE,
            {"default": ("${redis_password_path}", "${redis_password_key}")},
        )
        return [
            Unit(
                "valkey",
                Layer.CONFIGS,
                {
                    "namespace.yaml": [namespace(names.REDIS_NAMESPACE)],
                    "externalsecret.yaml": [users],
                    "helmrelease.yaml": [
                        helm_release("valkey", names.REDIS_NAMESPACE, CHART, _values())
                    ],
                },
            )
        ]

    def variables(self, cluster: ClusterConfig, settings: RedisSettings) -> dict[str, str]:
        return {
            "redis_name": settings.name,
            "redis_password_key": settings.password_key,
            "redis_password_path": settings.password_path,
            "redis_storage": settings.storage,
        }


COMPONENT = Redis()
