"""`vault`: External Secrets Operator and the `vault` ClusterSecretStore
(Vault KV v2). The store authenticates with the Vault Kubernetes auth method
using a short-lived token of the operator's own service account: no
credential is ever committed. Vault reviews that token with the token
itself, so the service account is bound to `system:auth-delegator`. The
store pins the appliance's private CA and serves only the namespaces that
sync secrets; an admission policy holds each preview namespace to its own
preview path. The Vault side (role, policy, auth mount) is configured by
`wildside vault bootstrap` / the vault_eso OpenTofu module."""

from __future__ import annotations

from typing import Any

from wildside.contract import kube, names, vault_paths
from wildside.platform.components import cert_manager, external_dns
from wildside.platform.components.base import Component, NoSettings, Patch, Unit, require
from wildside.platform.config import ClusterConfig
from wildside.platform.layers import Layer
from wildside.platform.manifests import MANAGED_BY, HelmChart, helm_release, namespace, resources

CHART = HelmChart(
    "external-secrets", "https://charts.external-secrets.io", "external-secrets", "2.10.0"
)
CA_CONFIGMAP = "vault-ca"
TOKEN_REVIEW_BINDING = "external-secrets-vault-tokenreview"  # noqa: S105 - a name
PREVIEW_POLICY = "wildside-preview-external-secrets"
# A preview namespace: <app>-pr-<N> (contract.identity).
PREVIEW_NAMESPACE = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?-pr-[0-9]{1,8}$"
_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"


def token_review_binding() -> dict[str, Any]:
    """Vault runs outside the cluster with no reviewer token of its own
    (disable_local_ca_jwt): each login's JWT reviews itself, which needs
    this ClusterRole."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": kube.metadata(TOKEN_REVIEW_BINDING, labels=MANAGED_BY),
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": "system:auth-delegator",
        },
        "subjects": [
            {
                "kind": "ServiceAccount",
                "name": names.ESO_SERVICE_ACCOUNT,
                "namespace": names.ESO_NAMESPACE,
            }
        ],
    }


def preview_admission() -> list[dict[str, Any]]:
    """An ExternalSecret in a preview namespace <app>-pr-<N> may read only
    wildside/previews/<app>/pr-<N>, through the `vault` store: no other
    path, no `find`, no per-item store, no generator. The API server
    enforces it, whatever the preview's overlay says."""
    own = (
        f"'{vault_paths.PREVIEWS}/' + request.namespace.substring(0, variables.cut) + '/' + "
        "request.namespace.substring(variables.cut + 1)"
    )
    policy = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": kube.metadata(PREVIEW_POLICY, labels=MANAGED_BY),
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {
                "resourceRules": [
                    {
                        "apiGroups": ["external-secrets.io"],
                        "apiVersions": ["*"],
                        "operations": ["CREATE", "UPDATE"],
                        "resources": ["externalsecrets"],
                    }
                ]
            },
            "matchConditions": [
                {
                    "name": "preview-namespace",
                    "expression": f"request.namespace.matches('{PREVIEW_NAMESPACE}')",
                }
            ],
            "variables": [
                {"name": "cut", "expression": "request.namespace.lastIndexOf('-pr-')"},
                {"name": "own", "expression": own},
            ],
            "validations": [
                {
                    "expression": "has(object.spec.secretStoreRef) && "
                    "object.spec.secretStoreRef.kind == 'ClusterSecretStore' && "
                    f"object.spec.secretStoreRef.name == '{names.SECRET_STORE}'",
                    "message": f"a preview reads Vault only through the ClusterSecretStore "
                    f"{names.SECRET_STORE}",
                },
                {
                    "expression": "!has(object.spec.data) || object.spec.data.all(d, "
                    "!has(d.sourceRef) && d.remoteRef.key == variables.own)",
                    "messageExpression": "'a preview reads only its own Vault path ' + "
                    "variables.own",
                },
                {
                    "expression": "!has(object.spec.dataFrom) || object.spec.dataFrom.all(f, "
                    "has(f.extract) && !has(f.find) && !has(f.sourceRef) && "
                    "f.extract.key == variables.own)",
                    "messageExpression": "'a preview extracts only its own Vault path ' + "
                    "variables.own",
                },
            ],
        },
    }
    binding = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": kube.metadata(PREVIEW_POLICY, labels=MANAGED_BY),
        "spec": {"policyName": PREVIEW_POLICY, "validationActions": ["Deny"]},
    }
    return [policy, binding]


def store_conditions(cluster: ClusterConfig) -> list[dict[str, Any]]:
    """The namespaces the store serves: the platform's own, the app
    environments this cluster runs and, where they are hosted, previews."""
    monitoring = cluster.components.get("monitoring") or {}
    platform = {
        names.FLUX_NAMESPACE,
        names.DATABASES_NAMESPACE,
        names.REDIS_NAMESPACE,
        cert_manager.NAMESPACE,
        external_dns.NAMESPACE,
        str(monitoring.get("namespace") or names.MONITORING_NAMESPACE),
    }
    regexes = [f"^{_LABEL}-{environment}$" for environment in sorted(cluster.apps.overlays)]
    if cluster.hosts_previews:
        regexes.append(PREVIEW_NAMESPACE)
    conditions: list[dict[str, Any]] = [{"namespaces": sorted(platform)}]
    if regexes:
        conditions.append({"namespaceRegexes": regexes})
    return conditions


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
        assert cluster.vault is not None
        require(
            cluster,
            cluster.vault.ca_certificate,
            self.name,
            "vault.ca_certificate: the appliance's certificate is private, so External Secrets "
            "must pin its CA; paste `tofu -chdir=infra/vault output -raw vault_ca_cert_pem` "
            "or render with --tofu-outputs carrying vault_ca_cert_pem",
        )

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
                    "tokenreview-rbac.yaml": [token_review_binding()],
                    "preview-admission.yaml": preview_admission(),
                },
            ),
            Unit(
                "cluster-secret-store",
                Layer.CONFIGS,
                {"clustersecretstore.yaml": [cluster_secret_store()]},
            ),
        ]

    def patches(self, cluster: ClusterConfig, settings: NoSettings) -> list[Patch]:
        """Per cluster: the namespaces the store serves, and the private CA of
        Vault's certificate (public material)."""
        assert cluster.vault is not None
        conditions = Patch(
            Layer.CONFIGS,
            "vault/patch-conditions.yaml",
            {
                "apiVersion": kube.EXTERNAL_SECRETS_API,
                "kind": "ClusterSecretStore",
                "metadata": {"name": names.SECRET_STORE},
                "spec": {"conditions": store_conditions(cluster)},
            },
            target={"kind": "ClusterSecretStore", "name": names.SECRET_STORE},
        )
        if cluster.vault.ca_certificate is None:
            return [conditions]
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
            conditions,
            Patch(Layer.CONFIGS, "vault/vault-ca.yaml", configmap, resource=True),
            Patch(
                Layer.CONFIGS,
                "vault/patch-ca.yaml",
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
