"""`receiver`: a Flux notification Receiver so a push to wildside-apps
reconciles at once. GitHub signs the webhook with an HMAC secret that comes
from Vault; the receiver is reachable at flux-webhook.<preview domain>
(covered by the wildcard record and certificate)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from wildside.contract import kube, names, vault_paths
from wildside.core import validation
from wildside.platform.components.base import Component, Host, Unit
from wildside.platform.config import ClusterConfig
from wildside.platform.layers import Layer
from wildside.platform.manifests import MANAGED_BY, external_secret

TOKEN_SECRET = "wildside-apps-webhook-token"  # noqa: S105 - a Secret's name
WEBHOOK_HOST_LABEL = "flux-webhook"


class ReceiverSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # Vault KV path; property `token`
    token_path: str = vault_paths.platform("flux-webhook")

    @field_validator("token_path")
    @classmethod
    def _path(cls, value: str) -> str:
        return validation.kv_path(value, option="receiver.token_path")


def _ingress() -> dict[str, object]:
    return {
        "apiVersion": kube.NETWORKING_API,
        "kind": "Ingress",
        "metadata": kube.metadata(
            WEBHOOK_HOST_LABEL,
            names.FLUX_NAMESPACE,
            labels=MANAGED_BY,
            annotations={"traefik.ingress.kubernetes.io/router.entrypoints": "websecure"},
        ),
        "spec": {
            "ingressClassName": "traefik",
            "tls": [{"hosts": [f"{WEBHOOK_HOST_LABEL}.${{preview_domain}}"]}],
            "rules": [
                {
                    "host": f"{WEBHOOK_HOST_LABEL}.${{preview_domain}}",
                    "http": {
                        "paths": [
                            {
                                "path": "/hook/",
                                "pathType": "Prefix",
                                "backend": {
                                    "service": {
                                        "name": "webhook-receiver",
                                        "port": {"number": 80},
                                    }
                                },
                            }
                        ]
                    },
                }
            ],
        },
    }


class Receiver(Component[ReceiverSettings]):
    name = "receiver"
    settings_model = ReceiverSettings
    requires = ("vault", "traefik")

    def units(self, cluster: ClusterConfig, settings: ReceiverSettings) -> list[Unit]:
        token = external_secret(
            TOKEN_SECRET, names.FLUX_NAMESPACE, {"token": ("${receiver_token_path}", "token")}
        )
        receiver = {
            "apiVersion": kube.NOTIFICATION_API,
            "kind": "Receiver",
            "metadata": kube.metadata(names.APPS_SOURCE, names.FLUX_NAMESPACE, labels=MANAGED_BY),
            "spec": {
                "type": "github",
                "interval": "10m",
                "events": ["ping", "push"],
                "secretRef": {"name": TOKEN_SECRET},
                "resources": [{"kind": "GitRepository", "name": names.APPS_SOURCE}],
            },
        }
        return [
            Unit(
                "github",
                Layer.APPS,
                {
                    "externalsecret.yaml": [token],
                    "receiver.yaml": [receiver],
                    "ingress.yaml": [_ingress()],
                },
            )
        ]

    def variables(self, cluster: ClusterConfig, settings: ReceiverSettings) -> dict[str, str]:
        return {"receiver_token_path": settings.token_path}

    def hosts(self, cluster: ClusterConfig, settings: ReceiverSettings) -> list[Host]:
        return [Host(f"{WEBHOOK_HOST_LABEL}.{cluster.preview_domain}")]


COMPONENT = Receiver()
