"""`databases`: the CloudNativePG operator, the shared preview cluster
`previews-pg` (namespace `databases`) that keeps the seeded template database
previews are cloned from, the app's own cluster per long-lived environment
the cluster hosts, and optional backups to S3-compatible object storage."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from wildside.contract import kube, names
from wildside.core import validation
from wildside.platform.components.base import Component, Patch, Unit, require
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

CHART = HelmChart(
    "cloudnative-pg", "https://cloudnative-pg.github.io/charts", "cloudnative-pg", "0.28.2"
)
OPERATOR_NAMESPACE = "cnpg-system"
TEMPLATE_OWNER = "wildside"
BACKUP_SECRET = "pg-backup-credentials"  # noqa: S105 - a Secret's name
_SIZE = re.compile(r"[1-9][0-9]{0,5}(Mi|Gi|Ti)")
_RETENTION = re.compile(r"[1-9][0-9]{0,3}[dwm]")


def app_cluster_name(environment: str) -> str:
    return f"wildside-{environment}"


class Backup(BaseModel):
    """Base backups and WAL archives to S3-compatible storage (DigitalOcean Spaces)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    destination: str  # s3://bucket/prefix; the cluster and server name are appended
    endpoint_url: str = "https://fra1.digitaloceanspaces.com"
    credentials_path: str  # Vault KV path with ACCESS_KEY_ID and ACCESS_SECRET_KEY
    access_key_property: str = "ACCESS_KEY_ID"
    secret_key_property: str = "ACCESS_SECRET_KEY"  # noqa: S105 - the KV property name
    retention: str = "30d"
    schedule: str = "0 0 3 * * *"  # CloudNativePG cron: seconds first

    @field_validator("destination")
    @classmethod
    def _destination(cls, value: str) -> str:
        if not re.fullmatch(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9._-]+)*/?", value):
            raise ValueError(f"backup.destination {value!r} is not s3://BUCKET[/PREFIX]")
        return value.rstrip("/")

    @field_validator("endpoint_url")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if not re.fullmatch(r"https://[a-z0-9.-]+(:[0-9]+)?/?", value):
            raise ValueError(f"backup.endpoint_url {value!r} is not an https:// endpoint")
        return value.rstrip("/")

    @field_validator("credentials_path")
    @classmethod
    def _credentials(cls, value: str) -> str:
        return validation.kv_path(value, option="backup.credentials_path")

    @field_validator("retention")
    @classmethod
    def _retention(cls, value: str) -> str:
        if not _RETENTION.fullmatch(value):
            raise ValueError(f"backup.retention {value!r} is not a retention like 30d, 4w or 3m")
        return value


class DatabasesSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    previews_instances: int = Field(1, ge=1, le=5)
    previews_storage: str = "10Gi"
    app_instances: int = Field(2, ge=1, le=5)
    app_storage: str = "20Gi"
    backup: Backup | None = None

    @field_validator("previews_storage", "app_storage")
    @classmethod
    def _size(cls, value: str) -> str:
        if not _SIZE.fullmatch(value):
            raise ValueError(f"{value!r} is not a volume size like 10Gi")
        return value


def _cluster(
    name: str,
    instances: str,
    storage: str,
    bootstrap: dict[str, Any],
    *,
    superuser: bool = False,
) -> dict[str, Any]:
    return {
        "apiVersion": kube.CNPG_API,
        "kind": "Cluster",
        "metadata": kube.metadata(name, names.DATABASES_NAMESPACE, labels=MANAGED_BY),
        "spec": {
            "instances": instances,
            "enableSuperuserAccess": superuser,
            "primaryUpdateStrategy": "unsupervised",
            "bootstrap": bootstrap,
            "postgresql": {"parameters": {"max_connections": "200", "shared_buffers": "128MB"}},
            "storage": {"size": storage},
            "resources": resources("250m", "512Mi", "1Gi"),
        },
    }


def _previews_unit() -> Unit:
    cluster = _cluster(
        names.PREVIEW_DB_CLUSTER,
        "${previews_pg_instances:=1}",
        "${previews_pg_storage:=10Gi}",
        {"initdb": {"database": names.TEMPLATE_DATABASE, "owner": TEMPLATE_OWNER}},
        # The per-preview role Job (`preview up --database`) connects with the
        # `<cluster>-superuser` Secret. Only this shared preview cluster, which holds
        # no production data, enables it; the app's own clusters keep it off.
        superuser=True,
    )
    template = {
        "apiVersion": kube.CNPG_API,
        "kind": "Database",
        "metadata": kube.metadata(
            names.TEMPLATE_DATABASE.replace("_", "-"), names.DATABASES_NAMESPACE, labels=MANAGED_BY
        ),
        "spec": {
            "name": names.TEMPLATE_DATABASE,
            "owner": TEMPLATE_OWNER,
            "cluster": {"name": names.PREVIEW_DB_CLUSTER},
            "ensure": "present",
            "isTemplate": True,
            "databaseReclaimPolicy": "retain",
        },
    }
    return Unit(
        "previews-cluster",
        Layer.CONFIGS,
        {"cluster.yaml": [cluster], "template-database.yaml": [template]},
    )


def _app_unit(environment: str) -> Unit:
    cluster = _cluster(
        app_cluster_name(environment),
        "${app_pg_instances:=2}",
        "${app_pg_storage:=20Gi}",
        {"initdb": {"database": "wildside", "owner": "wildside"}},
    )
    return Unit(f"app-cluster-{environment}", Layer.CONFIGS, {"cluster.yaml": [cluster]})


class Databases(Component[DatabasesSettings]):
    name = "databases"
    settings_model = DatabasesSettings
    crd_groups = ("postgresql.cnpg.io",)

    def check(self, cluster: ClusterConfig, settings: DatabasesSettings) -> None:
        if settings.backup is not None and "vault" not in cluster.components:
            require(cluster, False, self.name, "the vault component for backup credentials")

    def charts(self, cluster: ClusterConfig, settings: DatabasesSettings) -> list[HelmChart]:
        return [CHART]

    def pg_clusters(self, cluster: ClusterConfig) -> list[str]:
        found = [names.PREVIEW_DB_CLUSTER] if cluster.hosts_previews else []
        return found + [app_cluster_name(env) for env in cluster.apps.overlays]

    def units(self, cluster: ClusterConfig, settings: DatabasesSettings) -> list[Unit]:
        operator_values = {
            "crds": {"create": True},
            "resources": resources("50m", "128Mi", "512Mi"),
            "config": {"clusterWide": True},
        }
        units = [
            Unit(
                "operator",
                Layer.CONTROLLERS,
                {
                    "namespace.yaml": [namespace(OPERATOR_NAMESPACE)],
                    "helmrelease.yaml": [
                        helm_release("cloudnative-pg", OPERATOR_NAMESPACE, CHART, operator_values)
                    ],
                },
            ),
            Unit(
                "namespace",
                Layer.CONFIGS,
                {"namespace.yaml": [namespace(names.DATABASES_NAMESPACE)]},
            ),
        ]
        if cluster.hosts_previews:
            units.append(_previews_unit())
        units.extend(_app_unit(environment) for environment in cluster.apps.overlays)
        return units

    def patches(self, cluster: ClusterConfig, settings: DatabasesSettings) -> list[Patch]:
        backup = settings.backup
        if backup is None:
            return []
        credentials = external_secret(
            BACKUP_SECRET,
            names.DATABASES_NAMESPACE,
            {
                "ACCESS_KEY_ID": (backup.credentials_path, backup.access_key_property),
                "ACCESS_SECRET_KEY": (backup.credentials_path, backup.secret_key_property),
            },
        )
        found = [
            Patch(Layer.CONFIGS, "databases/pg-backup-credentials.yaml", credentials, resource=True)
        ]
        for pg in self.pg_clusters(cluster):
            store = {
                "destinationPath": f"{backup.destination}/{cluster.name}",
                "endpointURL": backup.endpoint_url,
                "s3Credentials": {
                    "accessKeyId": {"name": BACKUP_SECRET, "key": "ACCESS_KEY_ID"},
                    "secretAccessKey": {"name": BACKUP_SECRET, "key": "ACCESS_SECRET_KEY"},
                },
                "wal": {"compression": "gzip"},
                "data": {"compression": "gzip"},
            }
            patch = {
                "apiVersion": kube.CNPG_API,
                "kind": "Cluster",
                "metadata": {"name": pg, "namespace": names.DATABASES_NAMESPACE},
                "spec": {
                    "backup": {"barmanObjectStore": store, "retentionPolicy": backup.retention}
                },
            }
            scheduled = {
                "apiVersion": kube.CNPG_API,
                "kind": "ScheduledBackup",
                "metadata": kube.metadata(
                    f"{pg}-daily", names.DATABASES_NAMESPACE, labels=MANAGED_BY
                ),
                "spec": {
                    "schedule": backup.schedule,
                    "backupOwnerReference": "self",
                    "method": "barmanObjectStore",
                    "cluster": {"name": pg},
                },
            }
            found.append(
                Patch(
                    Layer.CONFIGS,
                    f"databases/patch-backup-{pg}.yaml",
                    patch,
                    target={"kind": "Cluster", "name": pg},
                )
            )
            found.append(
                Patch(
                    Layer.CONFIGS, f"databases/scheduledbackup-{pg}.yaml", scheduled, resource=True
                )
            )
        return found

    def variables(self, cluster: ClusterConfig, settings: DatabasesSettings) -> dict[str, str]:
        return {
            "previews_pg_instances": str(settings.previews_instances),
            "previews_pg_storage": settings.previews_storage,
            "app_pg_instances": str(settings.app_instances),
            "app_pg_storage": settings.app_storage,
        }


COMPONENT = Databases()
