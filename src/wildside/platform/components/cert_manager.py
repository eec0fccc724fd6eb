"""`cert-manager`: ACME ClusterIssuers (Let's Encrypt staging and production)
solving DNS-01 through the cluster's DNS provider, the preview domain's
wildcard Certificate (served by Traefik), and optionally a Vault PKI issuer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from wildside.contract import kube, names
from wildside.core import validation
from wildside.platform.components.base import Component, Unit, require
from wildside.platform.config import ClusterConfig
from wildside.platform.layers import Layer
from wildside.platform.manifests import (
    MANAGED_BY,
    HelmChart,
    external_secret,
    helm_release,
    namespace,
    resources,
)

CHART = HelmChart("jetstack", "https://charts.jetstack.io", "cert-manager", "v1.21.2")
NAMESPACE = "cert-manager"
TOKEN_SECRET = "dns-provider-token"  # noqa: S105 - a Secret's name
ACME_SERVERS = {
    "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
    "letsencrypt-production": "https://acme-v02.api.letsencrypt.org/directory",
}
VAULT_ISSUER_ACCOUNT = "vault-issuer"
VAULT_PKI_ISSUER = "vault-pki"


class VaultPki(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    path: str  # e.g. pki_int/sign/wildside
    role: str = "cert-manager"

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        return validation.kv_path(value, option="vault_pki.path")


class CertManagerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    acme_email: str
    issuer: Literal["letsencrypt-production", "letsencrypt-staging"] = "letsencrypt-production"
    vault_pki: VaultPki | None = None
    # The DNS-01 solver's token; default: the same KV entry as dns.token_path / dns.token_key.
    token_path: str | None = None
    token_key: str | None = None

    @field_validator("token_path")
    @classmethod
    def _token_path(cls, value: str | None) -> str | None:
        return None if value is None else validation.kv_path(value, option="token_path")

    @field_validator("acme_email")
    @classmethod
    def _email(cls, value: str) -> str:
        return validation.email(value, option="acme_email")


def _solver(provider: str) -> dict[str, Any]:
    token = {"name": TOKEN_SECRET, "key": "token"}
    if provider == "cloudflare":
        return {"dns01": {"cloudflare": {"apiTokenSecretRef": token}}}
    return {"dns01": {"digitalocean": {"tokenSecretRef": token}}}


def _acme_issuer(name: str, provider: str) -> dict[str, Any]:
    return {
        "apiVersion": kube.CERT_MANAGER_API,
        "kind": "ClusterIssuer",
        "metadata": kube.metadata(name, labels=MANAGED_BY),
        "spec": {
            "acme": {
                "server": ACME_SERVERS[name],
                "email": "${acme_email}",
                "privateKeySecretRef": {"name": f"{name}-account-key"},
                "solvers": [
                    {"selector": {"dnsZones": ["${dns_zone}"]}, **_solver(provider)},
                ],
            }
        },
    }


def _issuers_unit(provider: str) -> Unit:
    token = external_secret(
        TOKEN_SECRET, NAMESPACE, {"token": ("${dns01_token_path}", "${dns01_token_key}")}
    )
    return Unit(
        f"issuers-{provider}",
        Layer.CONFIGS,
        {
            "dns-provider-token.yaml": [token],
            "clusterissuers.yaml": [_acme_issuer(name, provider) for name in ACME_SERVERS],
        },
    )


def _wildcard_unit() -> Unit:
    certificate = {
        "apiVersion": kube.CERT_MANAGER_API,
        "kind": "Certificate",
        "metadata": kube.metadata("wildcard-preview", names.INGRESS_NAMESPACE, labels=MANAGED_BY),
        "spec": {
            "secretName": names.WILDCARD_CERTIFICATE_SECRET,
            "dnsNames": ["${preview_domain}", "*.${preview_domain}"],
            "issuerRef": {"kind": "ClusterIssuer", "name": "${acme_issuer}"},
            "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
            "duration": "2160h",
            "renewBefore": "720h",
        },
    }
    return Unit("wildcard-certificate", Layer.CONFIGS, {"certificate.yaml": [certificate]})


def _vault_pki_unit() -> Unit:
    """A ClusterIssuer signing through Vault PKI, authenticated with a
    short-lived token of a dedicated service account (Kubernetes auth)."""
    account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": kube.metadata(VAULT_ISSUER_ACCOUNT, NAMESPACE, labels=MANAGED_BY),
        "automountServiceAccountToken": False,
    }
    role = {
        "apiVersion": kube.RBAC_API,
        "kind": "Role",
        "metadata": kube.metadata(f"{VAULT_ISSUER_ACCOUNT}-token", NAMESPACE, labels=MANAGED_BY),
        "rules": [
            {
                "apiGroups": [""],
                "resources": ["serviceaccounts/token"],
                "resourceNames": [VAULT_ISSUER_ACCOUNT],
                "verbs": ["create"],
            }
        ],
    }
    binding = {
        "apiVersion": kube.RBAC_API,
        "kind": "RoleBinding",
        "metadata": kube.metadata(f"{VAULT_ISSUER_ACCOUNT}-token", NAMESPACE, labels=MANAGED_BY),
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": f"{VAULT_ISSUER_ACCOUNT}-token",
        },
        "subjects": [{"kind": "ServiceAccount", "name": "cert-manager", "namespace": NAMESPACE}],
    }
    issuer = {
        "apiVersion": kube.CERT_MANAGER_API,
        "kind": "ClusterIssuer",
        "metadata": kube.metadata(VAULT_PKI_ISSUER, labels=MANAGED_BY),
        "spec": {
            "vault": {
                "server": "${vault_address}",
                "path": "${vault_pki_path}",
                "auth": {
                    "kubernetes": {
                        "mountPath": "/v1/auth/${vault_auth_mount}",
                        "role": "${vault_pki_role}",
                        "serviceAccountRef": {"name": VAULT_ISSUER_ACCOUNT},
                    }
                },
            }
        },
    }
    return Unit(
        "vault-pki-issuer",
        Layer.CONFIGS,
        {"rbac.yaml": [account, role, binding], "clusterissuer.yaml": [issuer]},
    )


class CertManager(Component[CertManagerSettings]):
    name = "cert-manager"
    settings_model = CertManagerSettings
    crd_groups = ("cert-manager.io", "acme.cert-manager.io")
    requires = ("vault",)

    def check(self, cluster: ClusterConfig, settings: CertManagerSettings) -> None:
        require(
            cluster,
            cluster.dns,
            self.name,
            "dns.zone and dns.token_path (the Vault KV path of the DNS provider token)",
        )

    def charts(self, cluster: ClusterConfig, settings: CertManagerSettings) -> list[HelmChart]:
        return [CHART]

    def units(self, cluster: ClusterConfig, settings: CertManagerSettings) -> list[Unit]:
        assert cluster.dns is not None
        values = {
            "crds": {"enabled": True, "keep": True},
            "replicaCount": 1,
            "resources": resources("20m", "96Mi", "256Mi"),
            "webhook": {"resources": resources("10m", "32Mi", "128Mi")},
            "cainjector": {"resources": resources("10m", "96Mi", "256Mi")},
            # DNS-01 self-checks ask public resolvers, not the cluster's (split-horizon) DNS.
            "dns01RecursiveNameservers": "1.1.1.1:53,9.9.9.9:53",
            "dns01RecursiveNameserversOnly": True,
            "prometheus": {"enabled": True},
        }
        units = [
            Unit(
                "controller",
                Layer.CONTROLLERS,
                {
                    "namespace.yaml": [namespace(NAMESPACE)],
                    "helmrelease.yaml": [helm_release("cert-manager", NAMESPACE, CHART, values)],
                },
            ),
            _issuers_unit(cluster.dns.provider),
        ]
        if "traefik" in cluster.components:
            units.append(_wildcard_unit())
        if settings.vault_pki is not None:
            units.append(_vault_pki_unit())
        return units

    def variables(self, cluster: ClusterConfig, settings: CertManagerSettings) -> dict[str, str]:
        assert cluster.dns is not None
        values = {
            "acme_email": settings.acme_email,
            "acme_issuer": settings.issuer,
            "dns01_token_path": settings.token_path or cluster.dns.token_path,
            "dns01_token_key": settings.token_key or cluster.dns.token_key,
        }
        if settings.vault_pki is not None:
            values["vault_pki_path"] = settings.vault_pki.path
            values["vault_pki_role"] = settings.vault_pki.role
        return values


COMPONENT = CertManager()
