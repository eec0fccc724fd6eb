"""What isolates an app namespace, preview or long-lived: Pod Security
`restricted`, and NetworkPolicies that deny ingress except from the ingress
controller, the namespace itself, and the monitoring namespace on the app's
metrics port only."""

from __future__ import annotations

from typing import Any

from wildside.contract import kube, labels, names

NETWORK_POLICY_FILE = "network-policy.yaml"


def namespace(name: str) -> dict[str, Any]:
    return kube.namespace(name, labels.pod_security("restricted"))


def _from_namespace(name: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def network_policies(namespace: str, ingress_namespace: str) -> list[dict[str, Any]]:
    def policy(name: str, ingress: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        spec: dict[str, Any] = {"podSelector": {}, "policyTypes": ["Ingress"]}
        if ingress is not None:
            spec["ingress"] = ingress
        return {
            "apiVersion": kube.NETWORKING_API,
            "kind": "NetworkPolicy",
            "metadata": kube.metadata(name, namespace),
            "spec": spec,
        }

    return [
        policy("default-deny-ingress"),
        policy("allow-from-ingress-controller", [{"from": [_from_namespace(ingress_namespace)]}]),
        policy("allow-same-namespace", [{"from": [{"podSelector": {}}]}]),
        # Prometheus scrapes the app's `metrics` port, and only that port.
        policy(
            "allow-metrics-from-monitoring",
            [
                {
                    "from": [_from_namespace(names.MONITORING_NAMESPACE)],
                    "ports": [{"protocol": "TCP", "port": names.METRICS_PORT}],
                }
            ],
        ),
    ]
