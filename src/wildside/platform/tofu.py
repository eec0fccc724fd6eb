"""Reading the OpenTofu cluster root's outputs (`tofu output -json`) into a
cluster's configuration. Only the outputs of the renderer contract
(infra/renderer-contract.json) are read; each one either fills a
configuration value, is checked against what the renderer hard-wires, or is
informational. Sensitive outputs are refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wildside.contract import names
from wildside.core.errors import BadInput
from wildside.platform.components.cert_manager import NAMESPACE as CERT_MANAGER_NAMESPACE
from wildside.platform.components.external_dns import NAMESPACE as EXTERNAL_DNS_NAMESPACE

Path_ = tuple[str, ...]


@dataclass(frozen=True)
class Fill:
    """Set a configuration value (a dotted path in the raw config mapping).
    Under `components.<name>` only when that component is enabled."""

    path: Path_
    convert: Callable[[Any], Any] = lambda value: value


@dataclass(frozen=True)
class Expect:
    """The renderer hard-wires this value; a different one is refused."""

    expected: Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Info:
    """Read and reported, not rendered (used by other commands or people)."""

    why: str


Rule = Fill | Expect | Info


def _same(value: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda _raw: value


def _components(name: str, *rest: str) -> Path_:
    return ("components", name, *rest)


def _backup(key: str) -> Path_:
    return _components("databases", "backup", key)


RULES: dict[str, Rule] = {
    "cluster_name": Fill(("name",)),
    "cluster_id": Info("identifies the DOKS cluster for operators"),
    "cluster_endpoint": Info("Kubernetes API URL; Flux runs in-cluster"),
    "region": Fill(("region",)),
    "kubernetes_version": Info("DOKS version; charts are pinned independently"),
    "preview_node_selector": Info("preview pods' placement: read by the apps/preview side"),
    "preview_tolerations": Info("preview pods' tolerations: read by the apps/preview side"),
    "base_domain": Fill(("dns", "zone")),
    "preview_domain": Fill(("preview_domain",)),
    "preview_wildcard_hostname": Expect(lambda raw: f"*.{raw.get('preview_domain')}"),
    "dns_provider": Fill(("dns", "provider")),
    "external_dns_namespace": Expect(_same(EXTERNAL_DNS_NAMESPACE)),
    "external_dns_domain_filters": Info("the renderer filters on dns.zone"),
    "external_dns_txt_owner_id": Expect(lambda raw: raw.get("name")),
    "external_dns_vault_secret_path": Fill(("dns", "token_path")),
    "external_dns_vault_secret_key": Fill(("dns", "token_key")),
    "traefik_namespace": Expect(_same(names.INGRESS_NAMESPACE)),
    "ingress_class_name": Expect(_same("traefik")),
    "traefik_load_balancer_id": Fill(_components("traefik", "load_balancer_id")),
    "traefik_load_balancer_name": Fill(_components("traefik", "load_balancer_name")),
    "traefik_load_balancer_ip": Info("the wildcard record follows the Service; shown to operators"),
    "traefik_load_balancer_size_unit": Fill(_components("traefik", "load_balancer_size_unit"), int),
    "cert_manager_namespace": Expect(_same(CERT_MANAGER_NAMESPACE)),
    "cluster_issuer_name": Fill(_components("cert-manager", "issuer")),
    "acme_server": Info("follows from cluster_issuer_name"),
    "acme_email": Fill(_components("cert-manager", "acme_email")),
    "dns01_provider": Expect(lambda raw: raw.get("dns", {}).get("provider", "digitalocean")),
    "wildcard_certificate_dns_names": Info("the renderer issues <preview_domain> and its wildcard"),
    "cert_manager_vault_secret_path": Fill(_components("cert-manager", "token_path")),
    "cert_manager_vault_secret_key": Fill(_components("cert-manager", "token_key")),
    "vault_address": Fill(("vault", "address")),
    "vault_ca_cert_pem": Fill(("vault", "ca_certificate")),
    "vault_kv_mount": Fill(("vault", "kv_mount")),
    "vault_kv_prefix": Info("component KV paths are given in full"),
    "external_secrets_namespace": Expect(_same(names.ESO_NAMESPACE)),
    "external_secrets_service_account": Expect(_same(names.ESO_SERVICE_ACCOUNT)),
    "external_secrets_vault_auth_mount": Fill(("vault", "auth_mount")),
    "external_secrets_vault_role": Fill(("vault", "role")),
    "cnpg_namespace": Expect(_same(names.DATABASES_NAMESPACE)),
    "cnpg_cluster_name": Expect(_same(names.PREVIEW_DB_CLUSTER)),
    "cnpg_template_database": Expect(_same(names.TEMPLATE_DATABASE)),
    "backups_bucket": Info("part of backups_destination_path"),
    "backups_endpoint": Fill(_backup("endpoint_url")),
    "backups_region": Info("part of backups_endpoint"),
    "backups_destination_path": Fill(_backup("destination")),
    "backups_vault_secret_path": Fill(_backup("credentials_path")),
    "backups_vault_secret_keys": Info("split into the two fills below"),
    "redis_namespace": Expect(_same(names.REDIS_NAMESPACE)),
    "redis_name": Fill(_components("redis", "name")),
    "redis_host": Info("follows from redis_name and redis_namespace"),
    "redis_port": Expect(_same(6379)),
    "redis_vault_secret_path": Fill(_components("redis", "password_path")),
    "redis_vault_secret_key": Fill(_components("redis", "password_key")),
    "flux_namespace": Expect(_same(names.FLUX_NAMESPACE)),
    "flux_git_repository_url": Info("the platform repository Flux reads (this one)"),
    "flux_git_branch": Info("the branch Flux follows"),
    "flux_path": Expect(lambda raw: f"clusters/{raw.get('name')}"),
    "flux_git_source_name": Fill(("flux_source",)),
}
CONTRACT_NAMES = frozenset(RULES)


def load(path: Path) -> dict[str, Any]:
    """The contract outputs of one `tofu output -json` file, nulls dropped."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BadInput(f"--tofu-outputs {str(path)!r} cannot be read: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadInput(
            f"--tofu-outputs {str(path)!r} is not JSON: give the output of `tofu output -json`"
        ) from None
    if not isinstance(document, dict):
        raise BadInput(f"--tofu-outputs {str(path)!r} is not a `tofu output -json` object")
    values: dict[str, Any] = {}
    for name in sorted(CONTRACT_NAMES & set(document)):
        entry = document[name]
        if not isinstance(entry, dict) or "value" not in entry:
            raise BadInput(
                f"--tofu-outputs {str(path)!r}: output {name} has no value: "
                "give the output of `tofu output -json`"
            )
        if entry.get("sensitive"):
            raise BadInput(
                f"--tofu-outputs {str(path)!r}: output {name} is marked sensitive; "
                "the platform tree never carries secrets: unmark it or leave it out"
            )
        if entry["value"] is not None:
            values[name] = entry["value"]
    if "backups_vault_secret_keys" in values:
        keys = values["backups_vault_secret_keys"]
        if isinstance(keys, dict):
            values["_backup_access"] = keys.get("access_key_id")
            values["_backup_secret"] = keys.get("secret_access_key")
    return values


def _set(raw: dict[str, Any], path: Path_, value: Any, *, source: str) -> None:
    if path[0] == "components" and path[1] not in raw.get("components", {}):
        return  # the cluster does not run that component
    if path[0] == "components" and raw["components"][path[1]] is None:
        raw["components"][path[1]] = {}
    node = raw
    for key in path[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise BadInput(f"{source}: {'.'.join(path)} cannot be set: {key} is not a mapping")
    current = node.get(path[-1])
    if current is not None and current != value:
        raise BadInput(
            f"{source}: {'.'.join(path)} is {current!r} in the configuration but the OpenTofu "
            f"output says {value!r}: remove it from the configuration or fix the cluster root"
        )
    node[path[-1]] = value


def apply(raw: dict[str, Any], outputs: dict[str, Any], *, source: str) -> dict[str, Any]:
    """Merge the outputs into a raw (not yet validated) cluster configuration."""
    merged: dict[str, Any] = json.loads(json.dumps(raw))
    if isinstance(merged.get("components"), list):
        merged["components"] = {name: {} for name in merged["components"]}
    for name, value in sorted(outputs.items()):
        rule = RULES.get(name)
        if isinstance(rule, Fill):
            _set(merged, rule.path, rule.convert(value), source=f"{source} output {name}")
    if "_backup_access" in outputs and "databases" in merged.get("components", {}):
        backup = merged["components"]["databases"].get("backup")
        if isinstance(backup, dict):
            backup.setdefault("access_key_property", outputs["_backup_access"])
            backup.setdefault("secret_key_property", outputs["_backup_secret"])
    for name, value in sorted(outputs.items()):
        rule = RULES.get(name)
        if isinstance(rule, Expect):
            expected = rule.expected(merged)
            if value != expected:
                raise BadInput(
                    f"{source}: output {name} is {value!r} but the platform renders {expected!r}: "
                    "align the cluster root with the renderer (see docs/platform.md)"
                )
    return merged
