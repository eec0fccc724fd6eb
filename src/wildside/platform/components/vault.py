"""`vault`: External Secrets Operator and the `vault` ClusterSecretStore
(Vault KV v2). The store authenticates with the Vault Kubernetes auth method
using a short-lived token of the operator's own service account: no
credential is ever committed. The Vault side (role, policy, auth mount) is
configured by `wildside vault` / the vault_eso OpenTofu module."""

from __future__ import annotations

from typing import Any

from wildside.contract import kube, names
from wildside.platform.components.base import Component, NoSettings, Patch, Unit, require
from wildside.platform.config import ClusterConfig
from wildside.platform.layers import Layer
from wildside.platform.manifests import MANAGED_BY, HelmChart, helm_release, namespace, resources

CHART = HelmChart(
    "external-secrets", "https://charts.external-secrets.io", "external-secrets", "2.10.0"
)
CA_CONFIGMAP = "vault-ca"


def _values() -> dict[str, Any]:
    return {
        "installCRDs": True,
        "serviceAccount": {"create": True, "name": names.ESO_SERVICE_ACCOUNT},
        "resources": resources("20m", "96Mi", "256Mi"),
        "webhook": {"resources": resources("10m", "48Mi", "128Mi")},
        "certController": {"resources": resources("10m", "64Mi", "128Mi")},
        "serviceMonitor": {"enabled": False},
    }


def cluster_secret_store() -> dict[str, Any]:
    return {
        "apiVersion": kube.EXTERNAL_SECRETS_API,
        "kind": "ClusterSecretStore",
        "metadata": kube.metadata(names.SECRET_STORE, labels=MANAGED_BY),
        "spec": {
            "provider": {
                "vault": {
                    "server": "${vault_address}",
                    "path": "${vault_kv_mount}",
                    "version": "v2",
                    "auth": {
                        "kubernetes": {
                            "mountPath": "${vault_auth_mount}",
                            "role": "${vault_role}",
                            "serviceAccountRef": {
                                "name": names.ESO_SERVICE_ACCOUNT,
                                "namespace": names.ESO_NAMESPACE,
                            },
                        }
                    },
                }
            }
        },
    }


class Vault(Component[NoSettings]):
    name = "vault"
    crd_groups = ("external-secrets.io", "generators.external-secrets.io")

    def check(self, cluster: ClusterConfig, settings: NoSettings) -> None:
        require(cluster, cluster.vault, self.name, "vault.address (the Vault API URL)")

    def charts(self, cluster: ClusterConfig, settings: NoSettings) -> list[HelmChart]:
        return [CHART]

    def units(self, cluster: ClusterConfig, settings: NoSettings) -> list[Unit]:
        return [
            Unit(
                "controller",
                Layer.CONTROLLERS,
                {
                    "namespace.yaml": [namespace(names.ESO_NAMESPACE)],
                    "helmrelease.yaml": [
                        helm_release("external-secrets", names.ESO_NAMESPACE, CHART, _values())
                    ],
                },
            ),
            Unit(
                "cluster-secret-store",
                Layer.CONFIGS,
                {"clustersecretstore.yaml": [cluster_secret_store()]},
            ),
        ]

    def patches(self, cluster: ClusterConfig, settings: NoSettings) -> list[Patch]:
        """A private CA for Vault's certificate: public material, kept in the
        cluster's own folder because it differs per cluster."""
        assert cluster.vault is not None
        if cluster.vault.ca_certificate is None:
            return []
        configmap = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": kube.metadata(CA_CONFIGMAP, names.ESO_NAMESPACE, labels=MANAGED_BY),
            "data": {"ca.crt": cluster.vault.ca_certificate},
        }
        store_patch = {
            "apiVersion": kube.EXTERNAL_SECRETS_API,
            "kind": "ClusterSecretStore",
            "metadata": {"name": names.SECRET_STORE},
            "spec": {
                "provider": {
                    "vault": {
                        "caProvider": {
                            "type": "ConfigMap",
                            "name": CA_CONFIGMAP,
                            "namespace": names.ESO_NAMESPACE,
                            "key": "ca.crt",
                        }
                    }
                }
            },
        }
        return [
            Patch(Layer.CONFIGS, "vault-ca.yaml", configmap, resource=True),
            Patch(
                Layer.CONFIGS,
                "patch-vault-ca.yaml",
                store_patch,
                target={"kind": "ClusterSecretStore", "name": names.SECRET_STORE},
            ),
        ]

    def variables(self, cluster: ClusterConfig, settings: NoSettings) -> dict[str, str]:
        assert cluster.vault is not None
        return {
            "vault_address": cluster.vault.address,
            "vault_kv_mount": cluster.vault.kv_mount,
            "vault_auth_mount": cluster.vault.auth_mount,
            "vault_role": cluster.vault.role,
        }


COMPONENT = Vault()
