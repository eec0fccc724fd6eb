"""The declarative path: what `wildside preview up --database` adds to a
preview overlay, as pure data.

CloudNativePG (1.25 and later) manages a database through a `Database`
resource but declares roles only inside the shared Cluster's spec
(`spec.managed.roles`), which lives in the platform tree: the apps tree
cannot add a role per preview there. So the overlay carries, in the
`databases` namespace (CloudNativePG requires the cluster's namespace):

- an ExternalSecret bringing the preview role's password from Vault;
- a Job that creates (or re-passwords) the role `preview_pr_<N>` with the
  cluster's superuser, waits for the database, hands the template's objects
  to the role and closes the database to other roles; it also sweeps roles of
  previews removed since (marker comment, older than an hour, no database);
- the `Database` (`template`, `databaseReclaimPolicy: delete`, owner role):
  removing the overlay prunes it, which drops the database.

and, in the preview namespace, an ExternalSecret with DATABASE_URL and the
PG* variables for the chart (`database.existingSecret`). The password is
generated once and kept in Vault only; Git holds references."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wildside.contract import db_marker, kube, names
from wildside.contract.identity import APP_DATABASE_PREFIX, PreviewIdentity
from wildside.contract.overlay import OverlayExtras
from wildside.core.yaml_io import dump_documents
from wildside.databases import naming

if TYPE_CHECKING:  # the Vault client loads only when a preview's password is prepared
    from wildside.databases.credentials import Credentials, VaultStore

CNPG_API = kube.CNPG_API
FILE_NAME = "database.yaml"
CLUSTER_HOST = f"{names.PREVIEW_DB_CLUSTER}-rw.{names.DATABASES_NAMESPACE}.svc.cluster.local"
CLUSTER_PORT = "5432"
# CloudNativePG writes this Secret when the cluster sets enableSuperuserAccess: true.
SUPERUSER_SECRET = f"{names.PREVIEW_DB_CLUSTER}-superuser"
# A Job's pod template is immutable. The template stays the same across ups
# (lifecycle annotations never reach it), but a newer wildside may change it;
# with this annotation Flux deletes and recreates the Job (it re-runs, and the
# role script is idempotent) instead of failing the whole preview's apply.
FLUX_FORCE = {"kustomize.toolkit.fluxcd.io/force": "enabled"}
PSQL_IMAGE = "ghcr.io/cloudnative-pg/postgresql:15"
ORPHAN_ROLE_AGE_SECONDS = 3600
HEALTH_CHECKS = [
    {
        "apiVersion": CNPG_API,
        "kind": "Database",
        "current": "status.applied == true",
        "failed": "status.applied == false",
    }
]

_ROLE_SQL = r"""\getenv pw PREVIEW_PASSWORD
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'role', :'pw') \gexec
SELECT format('COMMENT ON ROLE %I IS %L', :'role', :'marker')
 WHERE shobj_description((SELECT oid FROM pg_roles WHERE rolname = :'role'), 'pg_authid') IS NULL
\gexec
"""
_OWNERSHIP_SQL = r"""SELECT format('REASSIGN OWNED BY %I TO %I', :'owner', :'role')
 WHERE EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), :'role')
\gexec
"""
_ROLE_LIKE = APP_DATABASE_PREFIX.replace("_", "\\_") + "%"
# Built from constants only (the prefix and the marker), never from input.
_SWEEP_SQL = rf"""SELECT format('DROP ROLE IF EXISTS %I', r.rolname) FROM pg_roles r
 WHERE r.rolname LIKE '{_ROLE_LIKE}' AND r.rolname <> :'role'
   AND shobj_description(r.oid, 'pg_authid') ~ '{db_marker.SQL_PATTERN}'
   AND split_part(shobj_description(r.oid, 'pg_authid'), 'created=', 2)::bigint
       < extract(epoch FROM now()) - :max_age
   AND NOT EXISTS (SELECT FROM pg_database d WHERE d.datdba = r.oid) \gexec
"""  # noqa: S608
# Connection settings and the password come from the environment, never argv.
_SCRIPT = f"""set -eu
{db_marker.shell_assignment("marker", "PREVIEW_PR")}
psql -X -v ON_ERROR_STOP=1 -v role="$PREVIEW_ROLE" -v marker="$marker" <<'SQL'
{_ROLE_SQL}SQL
until psql -X -d "$PREVIEW_DATABASE" -c 'SELECT 1' >/dev/null 2>&1; do sleep 5; done
psql -X -d "$PREVIEW_DATABASE" -v ON_ERROR_STOP=1 -v role="$PREVIEW_ROLE" \\
  -v owner="{naming.TEMPLATE_OWNER}" <<'SQL'
{_OWNERSHIP_SQL}SQL
psql -X -v role="$PREVIEW_ROLE" -v max_age={ORPHAN_ROLE_AGE_SECONDS} <<'SQL' || true
{_SWEEP_SQL}SQL
"""


def _external_secret(
    name: str, namespace: str | None, identity: PreviewIdentity, keys: dict[str, str]
) -> dict[str, Any]:
    return kube.external_secret(
        name,
        namespace,
        data={key: (identity.vault_path, prop) for key, prop in keys.items()},
        sort_data=False,
    )


def database(identity: PreviewIdentity, template: str = naming.DEFAULT_TEMPLATE) -> dict[str, Any]:
    return {
        "apiVersion": CNPG_API,
        "kind": "Database",
        "metadata": kube.metadata(identity.database_resource, names.DATABASES_NAMESPACE),
        "spec": {
            "name": identity.database,
            "owner": identity.database_role,
            "template": template,
            "cluster": {"name": names.PREVIEW_DB_CLUSTER},
            "ensure": "present",
            "databaseReclaimPolicy": "delete",
        },
    }


def _secret_env(name: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def role_job(identity: PreviewIdentity) -> dict[str, Any]:
    env = [
        {"name": "PGHOST", "value": CLUSTER_HOST},
        {"name": "PGPORT", "value": CLUSTER_PORT},
        {"name": "PGDATABASE", "value": "postgres"},
        {"name": "PGAPPNAME", "value": "wildside-preview-role"},
        _secret_env("PGUSER", SUPERUSER_SECRET, "username"),
        _secret_env("PGPASSWORD", SUPERUSER_SECRET, "password"),
        {"name": "PREVIEW_PR", "value": str(identity.pr)},
        {"name": "PREVIEW_ROLE", "value": identity.database_role},
        {"name": "PREVIEW_DATABASE", "value": identity.database},
        _secret_env("PREVIEW_PASSWORD", identity.database_role_secret, "PGPASSWORD"),
    ]
    return {
        "apiVersion": kube.BATCH_API,
        "kind": "Job",
        "metadata": kube.metadata(
            identity.database_role_secret, names.DATABASES_NAMESPACE, annotations=FLUX_FORCE
        ),
        "spec": {
            "backoffLimit": 20,
            "activeDeadlineSeconds": 1800,
            "template": {
                "spec": {
                    "restartPolicy": "OnFailure",
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 26,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [
                        {
                            "name": "psql",
                            "image": PSQL_IMAGE,
                            "command": ["sh", "-c", _SCRIPT],
                            "env": env,
                            "resources": {
                                "requests": {"cpu": "10m", "memory": "32Mi"},
                                "limits": {"cpu": "200m", "memory": "64Mi"},
                            },
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]},
                            },
                        }
                    ],
                }
            },
        },
    }


def documents(identity: PreviewIdentity, template: str) -> list[dict[str, Any]]:
    app_keys = {key: key for key in ("DATABASE_URL", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER")}
    app_keys["PGPASSWORD"] = "PGPASSWORD"
    return [
        _external_secret(
            identity.database_role_secret,
            names.DATABASES_NAMESPACE,
            identity,
            {"PGPASSWORD": "PGPASSWORD"},
        ),
        role_job(identity),
        database(identity, template),
        # No namespace: the overlay's NamespaceTransformer puts it in the preview namespace.
        _external_secret(identity.database_secret, None, identity, app_keys),
    ]


def overlay(identity: PreviewIdentity, template: str = naming.DEFAULT_TEMPLATE) -> OverlayExtras:
    """Pure: what `preview up --database` adds to the overlay (the chart learns
    the Secret's name through the values template's `<< database.name >>`)."""
    return OverlayExtras(
        files={FILE_NAME: dump_documents(documents(identity, template))},
        health_check_exprs=[dict(check) for check in HEALTH_CHECKS],
    )


def cluster_credentials(identity: PreviewIdentity, password: str) -> Credentials:
    from wildside.databases.credentials import Credentials

    return Credentials(
        CLUSTER_HOST, CLUSTER_PORT, identity.database, identity.database_role, password
    )


def prepare(vault: VaultStore | None, identity: PreviewIdentity) -> str | None:
    """The I/O step, run once before the Git loop: make sure Vault holds the
    preview role's credentials (generated once, kept afterwards). Returns
    where they are, or None without Vault."""
    if vault is None:
        return None
    vault.ensure_password(identity.pr, lambda password: cluster_credentials(identity, password))
    return vault.location(identity.pr)
