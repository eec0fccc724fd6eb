"""What Vault must hold for the platform, as pure data: policy documents,
role settings and the mounts they live on. Bootstrap compares these with the
server and writes only the difference."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wildside.contract import names, vault_paths

CI_POLICY = "wildside-ci-deployer"
ESO_POLICY = "wildside-external-secrets"
BOOTSTRAP_POLICY = "wildside-bootstrap"
APPROLE_MOUNT = "approle"
CI_ROLE = "ci-deployer"
BOOTSTRAP_ROLE = "wildside-bootstrap"
KUBERNETES_MOUNT = names.VAULT_KUBERNETES_AUTH_MOUNT
ESO_ROLE = names.VAULT_ESO_ROLE

# Prefixes under the KV mount. The CI deployer writes apps and previews;
# External Secrets additionally reads the platform's own credentials.
APPS_PREFIX = vault_paths.APPS
PREVIEWS_PREFIX = vault_paths.PREVIEWS
PLATFORM_PREFIX = vault_paths.PLATFORM
PRODUCTION = vault_paths.app_environment("production")


@dataclass(frozen=True)
class ClusterReach:
    """What one cluster's External Secrets may read: the exact platform
    paths its rendered ExternalSecrets name, its environments' app paths and,
    on the cluster that hosts them, the previews."""

    cluster: str
    platform_paths: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    previews: bool = False

    @property
    def policy(self) -> str:
        return cluster_policy_name(self.cluster)


def cluster_policy_name(cluster: str) -> str:
    return f"{ESO_POLICY}-{cluster}"


def _rule(path: str, capabilities: list[str]) -> str:
    quoted = ", ".join(f'"{capability}"' for capability in capabilities)
    return f'path "{path}" {{\n  capabilities = [{quoted}]\n}}\n'


def ci_deployer_policy(mount: str) -> str:
    """Seed, read and delete preview secrets; maintain non-production app
    secrets (no delete). Production is denied outright: previews run
    pull-request code, and the deployer's token is in every CI job."""
    return "\n".join(
        [
            _rule(f"{mount}/data/{PREVIEWS_PREFIX}/*", ["create", "read", "update", "delete"]),
            _rule(f"{mount}/metadata/{PREVIEWS_PREFIX}/*", ["read", "list", "delete"]),
            _rule(f"{mount}/data/{APPS_PREFIX}/*", ["create", "read", "update"]),
            _rule(f"{mount}/metadata/{APPS_PREFIX}/*", ["read", "list"]),
            # `production*`: production itself, anything below it, production-eu...
            _rule(f"{mount}/data/{PRODUCTION}*", ["deny"]),
            _rule(f"{mount}/metadata/{PRODUCTION}*", ["deny"]),
        ]
    )


def external_secrets_policy(mount: str) -> str:
    """The shared name grants nothing: a role that binds it (an older
    bootstrap, a module default) reads nothing until it binds its cluster's
    own policy. Vault refuses an empty policy, hence one inert rule."""
    del mount
    note = "# Retired: bind wildside-external-secrets-<cluster> instead (docs/vault.md).\n"
    return note + _rule("sys/wildside/retired", ["deny"])


def cluster_external_secrets_policy(mount: str, reach: ClusterReach) -> str:
    """Read-only, exact paths: what this cluster's ExternalSecrets sync."""
    rules = [_rule(f"{mount}/data/{path}", ["read"]) for path in sorted(reach.platform_paths)]
    for environment in sorted(reach.environments):
        path = vault_paths.app_environment(environment)
        rules.append(_rule(f"{mount}/data/{path}", ["read"]))
    if reach.previews:
        rules.append(_rule(f"{mount}/data/{PREVIEWS_PREFIX}/*", ["read"]))
    if not rules:
        return external_secrets_policy(mount)
    return "\n".join(rules)


def bootstrap_policy(mount: str) -> str:
    """Enough to verify and converge exactly what bootstrap manages, so a CI
    re-run never needs a root token."""
    return "\n".join(
        [
            _rule("sys/mounts", ["read"]),
            _rule(f"sys/mounts/{mount}", ["create", "read", "update"]),
            _rule("sys/auth", ["read"]),
            _rule(f"sys/auth/{APPROLE_MOUNT}", ["create", "read", "update", "sudo"]),
            _rule(f"sys/auth/{KUBERNETES_MOUNT}", ["create", "read", "update", "sudo"]),
            *(
                _rule(f"sys/policies/acl/{name}", ["create", "read", "update"])
                for name in (CI_POLICY, ESO_POLICY, f"{ESO_POLICY}-*", BOOTSTRAP_POLICY)
            ),
            _rule(f"auth/{APPROLE_MOUNT}/role/{BOOTSTRAP_ROLE}", ["read"]),
            _rule(f"auth/{APPROLE_MOUNT}/role/{BOOTSTRAP_ROLE}/role-id", ["read"]),
            _rule(f"auth/{APPROLE_MOUNT}/role/{BOOTSTRAP_ROLE}/secret-id", ["create", "update"]),
            _rule(f"auth/{APPROLE_MOUNT}/role/{CI_ROLE}", ["create", "read", "update"]),
            _rule(f"auth/{APPROLE_MOUNT}/role/{CI_ROLE}/role-id", ["read"]),
            _rule(f"auth/{APPROLE_MOUNT}/role/{CI_ROLE}/secret-id", ["create", "update"]),
            _rule(f"auth/{APPROLE_MOUNT}/role/{CI_ROLE}/secret-id-accessor/*", ["update"]),
            _rule(f"auth/{KUBERNETES_MOUNT}/config", ["create", "read", "update"]),
            _rule(f"auth/{KUBERNETES_MOUNT}/role/{ESO_ROLE}", ["create", "read", "update"]),
        ]
    )


def policies(mount: str, clusters: tuple[ClusterReach, ...] = ()) -> dict[str, str]:
    documents = {
        CI_POLICY: ci_deployer_policy(mount),
        ESO_POLICY: external_secrets_policy(mount),
        BOOTSTRAP_POLICY: bootstrap_policy(mount),
    }
    for reach in clusters:
        documents[reach.policy] = cluster_external_secrets_policy(mount, reach)
    return documents


@dataclass(frozen=True)
class RoleSpec:
    """A role as written to Vault; `expected` is what a read must return for
    the role to count as verified."""

    name: str
    mount: str
    fields: dict[str, Any] = field(default_factory=dict)


# CI jobs log in at the start of every job, so their tokens are short-lived.
# The secret ID itself does not expire (secret_id_ttl 0): an expiring secret
# ID would break every deploy on a quiet Friday; it is rotated deliberately
# (docs/vault.md) instead.
CI_ROLE_SPEC = RoleSpec(
    name=CI_ROLE,
    mount=APPROLE_MOUNT,
    fields={
        "token_policies": [CI_POLICY],
        "token_ttl": 20 * 60,
        "token_max_ttl": 60 * 60,
        "secret_id_ttl": 0,
        "secret_id_num_uses": 0,
        "token_num_uses": 0,
        "bind_secret_id": True,
    },
)

# The credential later bootstrap runs (an operator, the CI action) log in
# with, so the root token can be revoked. Admin-grade: it lives with the
# unseal shares. Same no-silent-expiry rule as the CI deployer.
BOOTSTRAP_ROLE_SPEC = RoleSpec(
    name=BOOTSTRAP_ROLE,
    mount=APPROLE_MOUNT,
    fields={
        "token_policies": [BOOTSTRAP_POLICY],
        "token_ttl": 15 * 60,
        "token_max_ttl": 60 * 60,
        "secret_id_ttl": 0,
        "secret_id_num_uses": 0,
        "token_num_uses": 0,
        "bind_secret_id": True,
    },
)


# External Secrets logs in again with its service-account token whenever its
# Vault token expires, so a short TTL costs nothing and limits a leaked token.
def eso_role_spec(reach: ClusterReach) -> RoleSpec:
    """The `kubernetes` mount's role: the one cluster bootstrap configures."""
    return RoleSpec(
        name=ESO_ROLE,
        mount=KUBERNETES_MOUNT,
        fields={
            "bound_service_account_names": [names.ESO_SERVICE_ACCOUNT],
            "bound_service_account_namespaces": [names.ESO_NAMESPACE],
            "token_policies": [reach.policy],
            "token_ttl": 60 * 60,
            "token_max_ttl": 4 * 60 * 60,
        },
    )
