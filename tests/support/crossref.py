"""Cross-reference checks over everything one cluster runs (its platform
objects plus the application objects of the apps overlays it reconciles),
shared by the fast tier (objects from `kubectl kustomize` and `helm
template`) and the live-cluster tier (the same objects read back from the
API server):

- every Ingress / IngressRoute host is served with TLS by a Certificate whose
  dnsNames cover it (named by the Ingress, or in Traefik's default TLSStore),
  issued by a ClusterIssuer that exists, and has a DNS record (ExternalDNS
  reading the hostname annotation of Traefik's Service, in a zone it manages);
- every PodMonitor port names a container port of the pods it selects, and a
  NetworkPolicy that isolates those pods admits the monitoring namespace on
  that port, and on metrics ports only;
- every Namespace declares a Pod Security level, with a written reason when
  it is not `restricted`.

Each function returns the problems it found, as sentences."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

Object = dict[str, Any]
INGRESS_NAMESPACE = "traefik"
MONITORING_NAMESPACE = "monitoring"
HOSTNAME_ANNOTATION = "external-dns.alpha.kubernetes.io/hostname"
ENFORCE = "pod-security.kubernetes.io/enforce"
REASON = "wildside.dev/pod-security-reason"
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
_HOST_MATCH = re.compile(r"Host\(`([^`]+)`\)")


def kind(objects: list[Object], name: str) -> list[Object]:
    return [o for o in objects if o.get("kind") == name]


def covers(pattern: str, host: str) -> bool:
    """A certificate or DNS name `pattern` (possibly `*.x`) matches `host`."""
    if pattern.startswith("*."):
        suffix = pattern[1:]
        return host.endswith(suffix) and "." not in host[: -len(suffix)]
    return pattern == host


def served_hosts(objects: list[Object]) -> Iterator[tuple[str, Object, str | None]]:
    """(host, the object serving it, the TLS secret it names or None)."""
    for ingress in kind(objects, "Ingress"):
        spec = ingress["spec"]
        secrets: dict[str, str | None] = {}
        for tls in spec.get("tls") or []:
            for host in tls.get("hosts") or []:
                secrets[host] = tls.get("secretName")
        for rule in spec.get("rules") or []:
            host = rule.get("host")
            if host:
                yield host, ingress, secrets.get(host, "<no tls>")
    for route in kind(objects, "IngressRoute"):
        tls = route["spec"].get("tls")
        secret = tls.get("secretName") if isinstance(tls, dict) else None
        for entry in route["spec"].get("routes") or []:
            for host in _HOST_MATCH.findall(entry.get("match", "")):
                yield host, route, secret if tls is not None else "<no tls>"


def chart_ingresses(objects: list[Object]) -> list[Object]:
    """Ingresses that HelmReleases of the platform create from their values
    (their charts are not rendered offline): Grafana's."""
    found = []
    for release in kind(objects, "HelmRelease"):
        if release["spec"]["chart"]["spec"]["chart"] != "kube-prometheus-stack":
            continue
        ingress = _helm_values(objects, release).get("grafana", {}).get("ingress", {})
        if ingress.get("enabled"):
            found.append(
                {
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "Ingress",
                    "metadata": {"name": "grafana", "namespace": _ns(release)},
                    "spec": {
                        "tls": ingress.get("tls"),
                        "rules": [{"host": host} for host in ingress.get("hosts") or []],
                    },
                }
            )
    return found


def _values(release: Object) -> dict[str, Any]:
    values: dict[str, Any] = release["spec"].get("values") or {}
    return values


def _helm_values(objects: list[Object], release: Object) -> dict[str, Any]:
    """A HelmRelease's values, including those it reads from ConfigMaps."""
    merged = dict(_values(release))
    for source in release["spec"].get("valuesFrom") or []:
        for cm in kind(objects, "ConfigMap"):
            meta = cm["metadata"]
            if meta["name"] == source["name"] and meta.get("namespace") == _ns(release):
                merged.update(yaml.safe_load(cm["data"][source.get("valuesKey", "values.yaml")]))
    return merged


def _ns(obj: Object) -> str | None:
    namespace: str | None = obj["metadata"].get("namespace")
    return namespace


def _name(obj: Object) -> str:
    return f"{obj['kind']} {_ns(obj) or ''}/{obj['metadata']['name']}"


def dns_names(objects: list[Object]) -> tuple[list[str], list[str]]:
    """(names ExternalDNS publishes for Traefik's Service, zones it manages)."""
    published: list[str] = []
    zones: list[str] = []
    for release in kind(objects, "HelmRelease"):
        values = _values(release)
        name = release["metadata"]["name"]
        if name == "traefik":
            annotation = values.get("service", {}).get("annotations", {}).get(HOSTNAME_ANNOTATION)
            published += [n.strip() for n in (annotation or "").split(",") if n.strip()]
        if name == "external-dns" and "service" in (values.get("sources") or []):
            zones += values.get("domainFilters") or []
    return published, zones


def host_problems(objects: list[Object]) -> list[str]:
    problems: list[str] = []
    certificates = kind(objects, "Certificate")
    issuers = {i["metadata"]["name"] for i in kind(objects, "ClusterIssuer")}
    store = next(
        (
            s
            for s in kind(objects, "TLSStore")
            if s["metadata"]["name"] == "default" and _ns(s) == INGRESS_NAMESPACE
        ),
        None,
    )
    store_secrets: set[str] = set()
    if store is not None:
        spec = store["spec"]
        store_secrets |= {c["secretName"] for c in spec.get("certificates") or []}
        if spec.get("defaultCertificate"):
            store_secrets.add(spec["defaultCertificate"]["secretName"])
    published, zones = dns_names(objects)
    for certificate in certificates:
        issuer = certificate["spec"]["issuerRef"]
        if issuer.get("kind") == "ClusterIssuer" and issuer["name"] not in issuers:
            problems.append(f"{_name(certificate)} names a missing ClusterIssuer {issuer['name']}")
    for host, owner, secret in served_hosts(objects + chart_ingresses(objects)):
        where = f"{host} ({_name(owner)})"
        if secret == "<no tls>":
            problems.append(f"{where} is served without TLS")
            continue
        if secret:
            namespace, secrets = _ns(owner), {secret}
        else:
            namespace, secrets = INGRESS_NAMESPACE, store_secrets
        matching = [
            c
            for c in certificates
            if _ns(c) == namespace
            and c["spec"]["secretName"] in secrets
            and any(covers(n, host) for n in c["spec"]["dnsNames"])
        ]
        if not matching:
            problems.append(f"{where} has no Certificate covering it")
        if not any(covers(n, host) for n in published):
            problems.append(f"{where} has no DNS record (not in {HOSTNAME_ANNOTATION})")
        elif not any(host == z or host.endswith("." + z) for z in zones):
            problems.append(f"{where} is outside every zone ExternalDNS manages")
    return problems


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def pods(objects: list[Object]) -> list[tuple[str | None, Object]]:
    """(namespace, pod template) of every workload."""
    found = []
    for workload in objects:
        if workload.get("kind") in WORKLOADS:
            found.append((_ns(workload), workload["spec"]["template"]))
        elif workload.get("kind") == "Pod":
            found.append((_ns(workload), workload))
    return found


def _labels(pod: Object) -> dict[str, str]:
    labels: dict[str, str] = (pod.get("metadata") or {}).get("labels") or {}
    return labels


def _ports(pod: Object) -> dict[str, int]:
    return {
        port["name"]: port["containerPort"]
        for container in pod["spec"].get("containers") or []
        for port in container.get("ports") or []
        if port.get("name")
    }


def _namespace_labels(objects: list[Object], namespace: str) -> dict[str, str]:
    for ns in kind(objects, "Namespace"):
        if ns["metadata"]["name"] == namespace:
            return {
                **(ns["metadata"].get("labels") or {}),
                "kubernetes.io/metadata.name": namespace,
            }
    return {"kubernetes.io/metadata.name": namespace}


def _admits(
    rule: dict[str, Any], objects: list[Object], namespace: str, port: str, number: int
) -> bool:
    peers = rule.get("from")
    from_monitoring = peers is None or any(
        "namespaceSelector" in peer
        and _selects(peer["namespaceSelector"], _namespace_labels(objects, MONITORING_NAMESPACE))
        and "podSelector" not in peer
        for peer in peers
    )
    ports = rule.get("ports")
    on_port = ports is None or any(p.get("port") in (port, number) for p in ports)
    return from_monitoring and on_port


def scrape_problems(objects: list[Object]) -> tuple[list[str], set[str]]:
    """(problems, names of the PodMonitors whose pods were among `objects`)."""
    problems: list[str] = []
    checked: set[str] = set()
    policies = kind(objects, "NetworkPolicy")
    metrics_ports: set[str] = set()
    for monitor in kind(objects, "PodMonitor"):
        spec = monitor["spec"]
        selector = spec.get("namespaceSelector") or {}
        namespaces = (
            None if selector.get("any") else set(selector.get("matchNames") or [_ns(monitor)])
        )
        ports = [endpoint["port"] for endpoint in spec["podMetricsEndpoints"]]
        metrics_ports |= set(ports)
        selected = [
            (ns, pod)
            for ns, pod in pods(objects)
            if (namespaces is None or ns in namespaces) and _selects(spec["selector"], _labels(pod))
        ]
        if not selected:
            continue
        checked.add(monitor["metadata"]["name"])
        for port in ports:
            exposing = [(ns, pod) for ns, pod in selected if port in _ports(pod)]
            if not exposing:
                problems.append(f"{_name(monitor)}: no pod it selects has a port named {port!r}")
            for ns, pod in exposing:
                isolating = [
                    p
                    for p in policies
                    if _ns(p) == ns
                    and "Ingress" in (p["spec"].get("policyTypes") or ["Ingress"])
                    and _selects(
                        p["spec"].get("podSelector") or {}, pod["metadata"].get("labels") or {}
                    )
                ]
                number = _ports(pod)[port]
                if isolating and not any(
                    _admits(rule, objects, ns or "", port, number)
                    for p in isolating
                    for rule in p["spec"].get("ingress") or []
                ):
                    problems.append(
                        f"{_name(monitor)}: no NetworkPolicy in {ns} admits the monitoring "
                        f"namespace to port {port!r}"
                    )
    for policy in policies:
        for rule in policy["spec"].get("ingress") or []:
            for peer in rule.get("from") or []:
                selector = peer.get("namespaceSelector")
                if (
                    selector
                    and selector.get("matchLabels", {}).get("kubernetes.io/metadata.name")
                    == MONITORING_NAMESPACE
                ):
                    allowed = {str(p.get("port")) for p in rule.get("ports") or [{"port": None}]}
                    if not allowed <= metrics_ports:
                        problems.append(
                            f"{_name(policy)} admits the monitoring namespace to "
                            f"{sorted(allowed)}, not only to metrics ports {sorted(metrics_ports)}"
                        )
    return problems, checked


def namespace_problems(objects: list[Object]) -> list[str]:
    problems = []
    for namespace in kind(objects, "Namespace"):
        meta = namespace["metadata"]
        level = (meta.get("labels") or {}).get(ENFORCE)
        if level is None:
            problems.append(f"namespace {meta['name']} declares no Pod Security level")
        elif level != "restricted" and not (meta.get("annotations") or {}).get(REASON):
            problems.append(f"namespace {meta['name']} is {level} without a written reason")
    return problems
