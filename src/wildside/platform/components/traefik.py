"""`traefik`: the ingress controller behind one DigitalOcean load balancer,
serving the preview domain's wildcard certificate by default. The wildcard
DNS record comes from ExternalDNS reading the service's hostname annotation."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from wildside.contract import kube, names
from wildside.platform.components.base import Component, Patch, Unit
from wildside.platform.config import ClusterConfig
from wildside.platform.layers import Layer
from wildside.platform.manifests import HelmChart, helm_release, namespace, resources

CHART = HelmChart("traefik", "https://traefik.github.io/charts", "traefik", "39.0.9")


class TraefikSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    replicas: int = Field(2, ge=1, le=10)
    # A load balancer created by OpenTofu that the Service adopts instead of creating one.
    load_balancer_id: str | None = None
    load_balancer_name: str | None = None
    load_balancer_size_unit: int | None = Field(None, ge=1, le=100)


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
                "service.beta.kubernetes.io/do-loadbalancer-name": "${traefik_lb_name}",
                # The preview wildcard and every host outside it (platform.hosts).
                "external-dns.alpha.kubernetes.io/hostname": (
                    "*.${preview_domain}${traefik_extra_hostnames:=}"
                ),
            },
        },
        # Pod Security `restricted`: the entry points listen on unprivileged ports (8000/8443).
        "podSecurityContext": {
            "runAsNonRoot": True,
            "runAsUser": 65532,
            "runAsGroup": 65532,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "podDisruptionBudget": {"enabled": True, "maxUnavailable": 1},
        "resources": resources("100m", "128Mi", "512Mi"),
        "metrics": {"prometheus": {"entryPoint": "metrics"}},
        "logs": {"access": {"enabled": True}},
    }


class Traefik(Component[TraefikSettings]):
    name = "traefik"
    settings_model = TraefikSettings
    crd_groups = ("traefik.io",)
    requires = ("cert-manager",)

    def charts(self, cluster: ClusterConfig, settings: TraefikSettings) -> list[HelmChart]:
        return [CHART]

    def units(self, cluster: ClusterConfig, settings: TraefikSettings) -> list[Unit]:
        tls_store = {
            "apiVersion": kube.TRAEFIK_API,
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

    def patches(self, cluster: ClusterConfig, settings: TraefikSettings) -> list[Patch]:
        annotations: dict[str, str] = {}
        if settings.load_balancer_id:
            annotations["kubernetes.digitalocean.com/load-balancer-id"] = settings.load_balancer_id
        if settings.load_balancer_size_unit:
            annotations["service.beta.kubernetes.io/do-loadbalancer-size-unit"] = str(
                settings.load_balancer_size_unit
            )
        if not annotations:
            return []
        patch = {
            "apiVersion": kube.HELM_API,
            "kind": "HelmRelease",
            "metadata": {"name": "traefik", "namespace": names.INGRESS_NAMESPACE},
            "spec": {"values": {"service": {"annotations": annotations}}},
        }
        target = {"kind": "HelmRelease", "name": "traefik"}
        return [Patch(Layer.CONTROLLERS, "traefik/patch-load-balancer.yaml", patch, target)]

    def variables(self, cluster: ClusterConfig, settings: TraefikSettings) -> dict[str, str]:
        return {
            "traefik_replicas": str(settings.replicas),
            "traefik_lb_name": settings.load_balancer_name or f"{cluster.name}-ingress",
        }


COMPONENT = Traefik()
