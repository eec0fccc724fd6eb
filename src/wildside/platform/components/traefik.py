"""`traefik`: the ingress controller behind one DigitalOcean load balancer,
serving the preview domain's wildcard certificate by default. The wildcard
DNS record comes from ExternalDNS reading the service's hostname annotation."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from wildside.core import kube, names
from wildside.platform.components.base import Component, HelmChart, Unit
from wildside.platform.config import ClusterConfig
from wildside.platform.layers import Layer
from wildside.platform.manifests import TRAEFIK_API, helm_release, namespace, resources

CHART = HelmChart("traefik", "https://traefik.github.io/charts", "traefik", "39.0.9")


class TraefikSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    replicas: int = 2


def _values() -> dict[str, object]:
    return {
        "deployment": {"replicas": "${traefik_replicas:=2}"},
        "ingressClass": {"enabled": True, "isDefaultClass": True, "name": "traefik"},
        "providers": {
            "kubernetesCRD": {"enabled": True, "allowCrossNamespace": False},
            "kubernetesIngress": {"enabled": True, "publishedService": {"enabled": True}},
        },
        "ports": {
            "web": {
                "http": {
                    "redirections": {
                        "entryPoint": {"to": "websecure", "scheme": "https", "permanent": True}
                    }
                }
            }
        },
        "service": {
            "type": "LoadBalancer",
            "annotations": {
                "service.beta.kubernetes.io/do-loadbalancer-name": "${cluster_name}-ingress",
                "external-dns.alpha.kubernetes.io/hostname": "*.${preview_domain}",
            },
        },
        "podDisruptionBudget": {"enabled": True, "maxUnavailable": 1},
        "resources": resources("100m", "128Mi", "512Mi"),
        "metrics": {"prometheus": {"entryPoint": "metrics"}},
        "logs": {"access": {"enabled": True}},
    }


class Traefik(Component[TraefikSettings]):
    name = "traefik"
    description = "Traefik ingress controller; default TLS certificate = the preview wildcard"
    settings_model = TraefikSettings
    crd_groups = ("traefik.io",)
    requires = ("cert-manager",)

    def charts(self, cluster: ClusterConfig, settings: TraefikSettings) -> list[HelmChart]:
        return [CHART]

    def units(self, cluster: ClusterConfig, settings: TraefikSettings) -> list[Unit]:
        tls_store = {
            "apiVersion": TRAEFIK_API,
            "kind": "TLSStore",
            "metadata": kube.metadata("default", names.INGRESS_NAMESPACE),
            "spec": {"defaultCertificate": {"secretName": names.WILDCARD_CERTIFICATE_SECRET}},
        }
        return [
            Unit(
                "controller",
                Layer.CONTROLLERS,
                {
                    "namespace.yaml": [namespace(names.INGRESS_NAMESPACE)],
                    "helmrelease.yaml": [
                        helm_release("traefik", names.INGRESS_NAMESPACE, CHART, _values())
                    ],
                },
            ),
            Unit("tls-store", Layer.CONFIGS, {"tlsstore.yaml": [tls_store]}),
        ]

    def variables(self, cluster: ClusterConfig, settings: TraefikSettings) -> dict[str, str]:
        return {"traefik_replicas": str(settings.replicas)}


COMPONENT = Traefik()
