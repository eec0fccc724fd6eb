"""`external-dns`: writes the preview wildcard record (from Traefik's service
annotation) into the cluster's DNS zone, owning records by cluster name so
several clusters can share one zone. It reads its API token from Vault, so it
is applied with the configs layer, after External Secrets is running."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from wildside.platform.components.base import Component, Unit, require
from wildside.platform.config import ClusterConfig
from wildside.platform.layers import Layer
from wildside.platform.manifests import (
    HelmChart,
    external_secret,
    helm_release,
    namespace,
    resources,
)

CHART = HelmChart(
    "external-dns", "https://kubernetes-sigs.github.io/external-dns/", "external-dns", "1.19.0"
)
NAMESPACE = "external-dns"
TOKEN_SECRET = "dns-provider-token"  # noqa: S105 - a Secret's name
TOKEN_ENV = {"digitalocean": "DO_TOKEN", "cloudflare": "CF_API_TOKEN"}


class ExternalDnsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    policy: str = "sync"  # sync deletes records it owns once their source is gone


def _values() -> dict[str, object]:
    return {
        "provider": {"name": "${dns_provider}"},
        "env": [
            {
                "name": "${dns_token_env}",
                "valueFrom": {"secretKeyRef": {"name": TOKEN_SECRET, "key": "token"}},
            }
        ],
        "sources": ["service"],
        "domainFilters": ["${dns_zone}"],
        "txtOwnerId": "${cluster_name}",
        "policy": "${external_dns_policy:=sync}",
        "interval": "1m",
        "resources": resources("10m", "64Mi", "128Mi"),
        "securityContext": {
            "runAsNonRoot": True,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
        },
    }


class ExternalDns(Component[ExternalDnsSettings]):
    name = "external-dns"
    settings_model = ExternalDnsSettings
    requires = ("vault",)

    def check(self, cluster: ClusterConfig, settings: ExternalDnsSettings) -> None:
        require(cluster, cluster.dns, self.name, "dns.zone and dns.token_path")
        if settings.policy not in {"sync", "upsert-only"}:
            require(cluster, False, self.name, "policy sync or upsert-only")

    def charts(self, cluster: ClusterConfig, settings: ExternalDnsSettings) -> list[HelmChart]:
        return [CHART]

    def units(self, cluster: ClusterConfig, settings: ExternalDnsSettings) -> list[Unit]:
        token = external_secret(
            TOKEN_SECRET, NAMESPACE, {"token": ("${dns_token_path}", "${dns_token_key}")}
        )
        return [
            Unit(
                "controller",
                Layer.CONFIGS,
                {
                    "namespace.yaml": [namespace(NAMESPACE)],
                    "dns-provider-token.yaml": [token],
                    "helmrelease.yaml": [
                        helm_release("external-dns", NAMESPACE, CHART, _values(), timeout="5m")
                    ],
                },
            )
        ]

    def variables(self, cluster: ClusterConfig, settings: ExternalDnsSettings) -> dict[str, str]:
        assert cluster.dns is not None
        return {
            "dns_token_env": TOKEN_ENV[cluster.dns.provider],
            "external_dns_policy": settings.policy,
        }


COMPONENT = ExternalDns()
