"""The monitoring component as file trees, one per Flux layer it touches:

- sources: the prometheus-community HelmRepository;
- controllers: the `monitoring` namespace and the kube-prometheus-stack
  HelmRelease (installs the monitoring.coreos.com CRDs);
- configs: ExternalSecrets (Grafana admin, Alertmanager receiver credentials),
  PodMonitors, PrometheusRules and the dashboard ConfigMaps, all custom
  resources or consumers of CRDs installed one layer earlier.

Each tree is a directory `kubectl kustomize` builds on its own."""

from __future__ import annotations

from typing import Any

from wildside.contract import kube
from wildside.core.yaml_io import dump, dump_documents
from wildside.platform.monitoring import dashboards, release, rules, scrape
from wildside.platform.monitoring.settings import MonitoringSettings

COMPONENT = "monitoring"
SOURCES, CONTROLLERS, CONFIGS = "sources", "controllers", "configs"


def _tree(files: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    rendered = {name: dump_documents(docs) for name, docs in files.items() if docs}
    rendered["kustomization.yaml"] = dump(kube.kustomization(sorted(rendered)))
    return rendered


def monitoring_tree(settings: MonitoringSettings) -> dict[str, dict[str, str]]:
    """{layer directory: {path relative to the component's directory: text}}."""
    controllers: dict[str, list[dict[str, Any]]] = {
        "namespace.yaml": [release.namespace(settings)],
        "helm-release.yaml": [release.helm_release(settings)],
    }
    ca = scrape.vault_ca_configmap(settings)
    if ca is not None:
        controllers["vault-ca.yaml"] = [ca]
    configs: dict[str, list[dict[str, Any]]] = {
        "external-secrets.yaml": release.external_secrets(settings),
        "pod-monitors.yaml": scrape.pod_monitors(settings),
        "prometheus-rules.yaml": rules.prometheus_rules(settings),
        "dashboards.yaml": dashboards.configmaps(settings),
    }
    return {
        SOURCES: _tree({"helm-repository.yaml": [release.helm_repository(settings)]}),
        CONTROLLERS: _tree(controllers),
        CONFIGS: _tree(configs),
    }
