"""A preview's one identity: `(app, pr)` derives every name the preview has,
in Git, in the cluster, in Vault, in PostgreSQL and on GitHub. Nothing else
constructs these names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wildside.contract import vault_paths

EPHEMERAL_DIR = "overlays/ephemeral"
FLUX_FILE = "flux-kustomization.yaml"
MAX_PR_NUMBER = 99_999_999
DATABASE_PREFIX = "preview_pr_"  # databases of `wildside db create --pr N` (no app)
APP_DATABASE_PREFIX = "preview_"  # every preview database and role starts with it
_DIRECTORY = re.compile(r"pr-([0-9]{1,8})")


@dataclass(frozen=True, order=True)
class PreviewIdentity:
    app: str
    pr: int

    @property
    def directory(self) -> str:
        """The overlay's directory name and the preview's short name: pr-<N>."""
        return directory_name(self.pr)

    @property
    def path(self) -> str:
        """The overlay in the apps repository."""
        return overlay_path(self.pr)

    @property
    def index_entry(self) -> str:
        """The preview's entry in overlays/ephemeral/kustomization.yaml."""
        return f"{self.directory}/{FLUX_FILE}"

    @property
    def namespace(self) -> str:
        """The preview's namespace; also the name of its Flux Kustomization."""
        return f"{self.app}-{self.directory}"

    @property
    def flux_kustomization(self) -> str:
        return self.namespace

    def host(self, domain: str) -> str:
        return f"{self.directory}.{domain}"

    @property
    def vault_path(self) -> str:
        return vault_paths.preview(self.app, self.pr)

    @property
    def database(self) -> str:
        """The preview's PostgreSQL database; the app is in it because several
        apps' previews share one database cluster."""
        return app_database_name(self.app, self.pr)

    @property
    def database_role(self) -> str:
        return self.database

    @property
    def database_resource(self) -> str:
        """The CloudNativePG `Database` object, in the shared `databases` namespace."""
        return f"{self.namespace}-db"

    @property
    def database_role_secret(self) -> str:
        """The role Job and its ExternalSecret, in the shared `databases` namespace."""
        return f"{self.namespace}-db-role"

    @property
    def github_environment(self) -> str:
        return self.directory

    @property
    def app_secret(self) -> str:
        """The Secret the chart reads its environment from (`secrets.existingSecret`)."""
        return app_secret(self.app)

    @property
    def database_secret(self) -> str:
        """The Secret the chart reads its database settings from."""
        return f"{self.app}-database"


def directory_name(pr: int) -> str:
    return f"pr-{pr}"


def database_name(pr: int) -> str:
    """A preview's database and its owner role (one PostgreSQL identifier)."""
    return f"{DATABASE_PREFIX}{pr}"


def app_database_name(app: str, pr: int) -> str:
    """A preview's database and owner role in the shared cluster: one
    PostgreSQL identifier (apps are DNS labels, so '-' becomes '_')."""
    return f"{APP_DATABASE_PREFIX}{app.replace('-', '_')}_pr_{pr}"


# Kubernetes' limit for names that are also label values or DNS labels, and PostgreSQL's.
DNS_LABEL_LIMIT = 63
POSTGRES_IDENTIFIER_LIMIT = 63


def longest_names(app: str) -> dict[str, tuple[str, int]]:
    """Every length-limited name of `app`'s preview with the longest PR
    number, and its limit; `apps init` refuses an app whose names do not fit."""
    longest = PreviewIdentity(app, MAX_PR_NUMBER)
    return {
        "namespace": (longest.namespace, DNS_LABEL_LIMIT),
        "Flux Kustomization": (longest.flux_kustomization, DNS_LABEL_LIMIT),
        "database role Job": (longest.database_role_secret, DNS_LABEL_LIMIT),
        "Database object": (longest.database_resource, DNS_LABEL_LIMIT),
        "database and role": (longest.database, POSTGRES_IDENTIFIER_LIMIT),
        "app Secret": (longest.app_secret, DNS_LABEL_LIMIT),
        "database Secret": (longest.database_secret, DNS_LABEL_LIMIT),
    }


def overlay_path(pr: int) -> str:
    """A preview's overlay directory; its name does not depend on the app, so a
    writer can check it out before it has read the apps configuration."""
    return f"{EPHEMERAL_DIR}/{directory_name(pr)}"


def pr_of_directory(name: str) -> int | None:
    """The PR number of a `pr-<N>` directory or entry name, or None."""
    match = _DIRECTORY.fullmatch(name)
    return int(match.group(1)) if match else None


def app_secret(app: str) -> str:
    return f"{app}-env"
