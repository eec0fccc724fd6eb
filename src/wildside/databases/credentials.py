"""Where a preview role's password lives: Vault (KV v2) when VAULT_ADDR is
set (with VAULT_TOKEN or an AppRole), otherwise a 0600 file. The password is generated here
and never printed, logged or passed on a command line."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import hvac
import hvac.exceptions

from wildside.contract import names
from wildside.contract.identity import PreviewIdentity, directory_name
from wildside.core.errors import OperationalError
from wildside.vault import client as vault_client
from wildside.vault.client import read_kv, vault_errors

_CAS_ATTEMPTS = 5
CREDENTIALS_DIR_ENV = "WILDSIDE_DB_CREDENTIALS_DIR"
KEYS = ("DATABASE_URL", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD")


def generate_password() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Credentials:
    host: str
    port: str
    database: str
    user: str
    password: str

    def as_env(self) -> dict[str, str]:
        from wildside.databases.dsn import url

        return {
            "DATABASE_URL": url(self.user, self.password, self.host, self.port, self.database),
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGDATABASE": self.database,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
        }

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, database={self.database!r}, password=***)"


class Store(Protocol):
    def location(self, pr: int) -> str: ...
    def has(self, pr: int) -> bool: ...
    def save(self, pr: int, credentials: Credentials) -> None: ...
    def remove(self, pr: int) -> bool: ...


class FileStore:
    """`<dir>/pr-<N>.env`, mode 0600 in a 0700 directory, written atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, pr: int) -> Path:
        return self.directory / f"{directory_name(pr)}.env"

    def location(self, pr: int) -> str:
        return str(self._path(pr))

    def has(self, pr: int) -> bool:
        return self._path(pr).is_file()

    def save(self, pr: int, credentials: Credentials) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self._path(pr)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        text = "".join(f"{key}={value}\n" for key, value in credentials.as_env().items())
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        temporary.chmod(0o600)  # umask cannot widen it, but a pre-existing file could be wider
        temporary.replace(target)

    def remove(self, pr: int) -> bool:
        path = self._path(pr)
        if path.is_file():
            path.unlink()
            return True
        return False


class VaultStore:
    """Keys merged into the preview's own path (`secret/wildside/previews/<app>/pr-<N>`):
    other keys at that path (seeded by `wildside vault`) are kept, a
    check-and-set guards races. Uses the same client as `preview up --secrets`
    (VAULT_TOKEN or AppRole, VAULT_CACERT, one-line errors)."""

    def __init__(
        self,
        client: hvac.Client,
        mount: str = names.VAULT_KV_MOUNT,
        app: str = names.DEFAULT_APP,
    ) -> None:
        self._client = client
        self._mount = mount
        self._app = app

    def for_app(self, app: str) -> VaultStore:
        """The same client, for another app's previews."""
        return VaultStore(self._client, self._mount, app)

    def _path(self, pr: int) -> str:
        return PreviewIdentity(self._app, pr).vault_path

    def location(self, pr: int) -> str:
        return f"vault:{self._mount}/{self._path(pr)}"

    def _read(self, pr: int) -> tuple[dict[str, str], int]:
        return read_kv(self._client, self._mount, self._path(pr))

    def _write(self, pr: int, data: dict[str, str], version: int) -> bool:
        """Write with check-and-set; False when another writer got there first."""
        with vault_errors(f"write {self._mount}/{self._path(pr)}"):
            try:
                self._client.secrets.kv.v2.create_or_update_secret(
                    path=self._path(pr), secret=data, cas=version, mount_point=self._mount
                )
            except hvac.exceptions.InvalidRequest as error:
                if "check-and-set" in str(error):
                    return False
                raise
        return True

    def has(self, pr: int) -> bool:
        data, _ = self._read(pr)
        return "PGPASSWORD" in data

    def password(self, pr: int) -> str | None:
        data, _ = self._read(pr)
        return data.get("PGPASSWORD")

    def save(self, pr: int, credentials: Credentials) -> None:
        for _ in range(_CAS_ATTEMPTS):
            data, version = self._read(pr)
            merged = {**data, **credentials.as_env()}
            if merged == data or self._write(pr, merged, version):
                return
        raise OperationalError(f"Vault path {self._path(pr)} kept changing: run again")

    def ensure_password(self, pr: int, credentials_for: Callable[[str], Credentials]) -> None:
        """Keep the password already stored, or generate one; two concurrent
        runs end with one password (check-and-set), never two."""
        for _ in range(_CAS_ATTEMPTS):
            data, version = self._read(pr)
            password = data.get("PGPASSWORD") or generate_password()
            merged = {**data, **credentials_for(password).as_env()}
            if merged == data or self._write(pr, merged, version):
                return
        raise OperationalError(f"Vault path {self._path(pr)} kept changing: run again")

    def remove(self, pr: int) -> bool:
        data, version = self._read(pr)
        kept = {key: value for key, value in data.items() if key not in KEYS}
        if kept == data:
            return False
        return self._write(pr, kept, version)


def vault_configured() -> bool:
    return bool(os.environ.get(vault_client.ADDRESS_ENV))


def vault_from_env(app: str = names.DEFAULT_APP) -> VaultStore | None:
    """Vault when VAULT_ADDR is set (token or AppRole required then), else None."""
    if not vault_configured():
        return None
    client = vault_client.from_environment(purpose="storing a preview database password")
    return VaultStore(client, app=app)


def default_directory() -> Path:
    configured = os.environ.get(CREDENTIALS_DIR_ENV)
    if configured:
        return Path(configured)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "wildside" / "databases"


def store_from_env(directory: Path | None = None) -> Store:
    vault = vault_from_env()
    if vault is not None:
        return vault
    return FileStore(directory or default_directory())
