"""Every host a cluster serves gets a certificate and a DNS record.

The preview domain's wildcard certificate (Traefik's default) and wildcard
DNS record cover `<label>.<preview domain>`: previews, Grafana, the Flux
webhook. Any other host (the production and staging app hosts, a Grafana
host elsewhere, or a host that asks for an issuer of its own) gets its own
cert-manager Certificate in the ingress namespace, listed in Traefik's
default TLSStore so Traefik picks it by SNI for an Ingress that names no
secret, and its name joins the hostname annotation on Traefik's Service,
from which ExternalDNS writes the record."""

from __future__ import annotations

from typing import Any

from wildside.contract import kube, names
from wildside.core.errors import BadInput
from wildside.platform.components.base import Host, Patch
from wildside.platform.config import ClusterConfig
from wildside.platform.layers import Layer
from wildside.platform.manifests import MANAGED_BY

TLS_STORE = "default"
HOSTNAMES_VARIABLE = "traefik_extra_hostnames"


def covered_by_wildcard(host: str, domain: str) -> bool:
    """Whether `*.<domain>` (or the domain itself) matches `host`: one label only."""
    return host == domain or (host.endswith("." + domain) and "." not in host[: -len(domain) - 1])


def own_certificate(cluster: ClusterConfig, host: Host) -> bool:
    return host.issuer is not None or not covered_by_wildcard(host.name, cluster.preview_domain)


def certificate_name(host: str) -> str:
    return "host-" + host.replace(".", "-")


def _certificate(host: Host) -> dict[str, Any]:
    return {
        "apiVersion": kube.CERT_MANAGER_API,
        "kind": "Certificate",
        "metadata": kube.metadata(
            certificate_name(host.name), names.INGRESS_NAMESPACE, labels=MANAGED_BY
        ),
        "spec": {
            "secretName": f"{certificate_name(host.name)}-tls",
            "dnsNames": [host.name],
            "issuerRef": {"kind": "ClusterIssuer", "name": host.issuer or "${acme_issuer}"},
            "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
        },
    }


def unique(cluster: ClusterConfig, hosts: list[Host]) -> list[Host]:
    """The hosts by name; one host served twice would route by chance."""
    seen: dict[str, Host] = {}
    for host in hosts:
        if host.name in seen:
            raise BadInput(
                f"cluster {cluster.name}: host {host.name} is served twice (Grafana, the "
                "Flux webhook and apps.hosts must differ): give each its own host"
            )
        seen[host.name] = host
    return sorted(seen.values(), key=lambda h: h.name)


def patches(cluster: ClusterConfig, hosts: list[Host]) -> list[Patch]:
    """The cluster's own Certificates and the TLSStore entries that serve them."""
    own = [host for host in hosts if own_certificate(cluster, host)]
    if not own:
        return []
    store = {
        "apiVersion": kube.TRAEFIK_API,
        "kind": "TLSStore",
        "metadata": {"name": TLS_STORE, "namespace": names.INGRESS_NAMESPACE},
        "spec": {
            "certificates": [{"secretName": f"{certificate_name(host.name)}-tls"} for host in own]
        },
    }
    return [
        Patch(
            Layer.CONFIGS, "hosts/certificates.yaml", [_certificate(h) for h in own], resource=True
        ),
        Patch(
            Layer.CONFIGS,
            "hosts/patch-tls-store.yaml",
            store,
            target={"kind": "TLSStore", "name": TLS_STORE},
        ),
    ]


def extra_dns_names(cluster: ClusterConfig, hosts: list[Host]) -> str:
    """What follows `*.<preview domain>` in the hostname annotation of
    Traefik's Service: `,host` for every host outside the wildcard
    (ExternalDNS points each at the load balancer); empty when none is."""
    return "".join(
        f",{h.name}" for h in hosts if not covered_by_wildcard(h.name, cluster.preview_domain)
    )
