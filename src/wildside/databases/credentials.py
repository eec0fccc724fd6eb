"""Where a preview role's password lives: Vault (KV v2) when VAULT_ADDR and
VAULT_TOKEN are set, otherwise a 0600 file. The password is generated here
and never printed, logged or passed on a command line."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from wildside.core import names
from wildside.core.errors import OperationalError

CREDENTIALS_DIR_ENV = "WILDSIDE_DB_CREDENTIALS_DIR"
KEYS = ("DATABASE_URL", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD")


def generate_password() -> str:
    return secrets.token_urlsafe(24)


def vault_path(pr: int) -> str:
    return f"{names.VAULT_APP_PREFIX}/previews/pr-{pr}"


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
    location_kind: str

    def location(self, pr: int) -> str: ...
    def has(self, pr: int) -> bool: ...
    def save(self, pr: int, credentials: Credentials) -> None: ...
    def remove(self, pr: int) -> bool: ...


class FileStore:
    """`<dir>/pr-<N>.env`, mode 0600 in a 0700 directory, written atomically."""

    location_kind = "file"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, pr: int) -> Path:
        return self.directory / f"pr-{pr}.env"

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
    """Keys merged into `secret/wildside/previews/pr-<N>`: other keys at that
    path (seeded by `wildside vault`) are kept, a check-and-set guards races."""

    location_kind = "vault"

    def __init__(self, address: str, token: str, mount: str = names.VAULT_KV_MOUNT) -> None:
        import hvac

        self._client = hvac.Client(url=address, token=token, timeout=10)
        self._mount = mount

    def location(self, pr: int) -> str:
        return f"vault:{self._mount}/{vault_path(pr)}"

    def _read(self, pr: int) -> tuple[dict[str, str], int]:
        import hvac.exceptions

        try:
            response = self._client.secrets.kv.v2.read_secret_version(
                path=vault_path(pr), mount_point=self._mount, raise_on_deleted_version=False
            )
        except hvac.exceptions.InvalidPath:
            return {}, 0
        except hvac.exceptions.VaultError as error:
            raise OperationalError(
                f"Vault read of {vault_path(pr)} failed: {type(error).__name__}"
            ) from None
        data = response["data"]
        return dict(data.get("data") or {}), int(data["metadata"]["version"])

    def _write(self, pr: int, data: dict[str, str], version: int) -> None:
        import hvac.exceptions

        try:
            self._client.secrets.kv.v2.create_or_update_secret(
                path=vault_path(pr), secret=data, cas=version, mount_point=self._mount
            )
        except hvac.exceptions.VaultError as error:
            raise OperationalError(
                f"Vault write of {vault_path(pr)} failed: {type(error).__name__}"
            ) from None

    def has(self, pr: int) -> bool:
        data, _ = self._read(pr)
        return "PGPASSWORD" in data

    def password(self, pr: int) -> str | None:
        data, _ = self._read(pr)
        return data.get("PGPASSWORD")

    def save(self, pr: int, credentials: Credentials) -> None:
        data, version = self._read(pr)
        merged = {**data, **credentials.as_env()}
        if merged != data:
            self._write(pr, merged, version)

    def remove(self, pr: int) -> bool:
        data, version = self._read(pr)
        kept = {key: value for key, value in data.items() if key not in KEYS}
        if kept == data:
            return False
        self._write(pr, kept, version)
        return True


def vault_from_env() -> VaultStore | None:
    address, token = os.environ.get("VAULT_ADDR"), os.environ.get("VAULT_TOKEN")
    if address and token:
        return VaultStore(address, token)
    return None


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
