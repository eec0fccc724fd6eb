"""A thin, explicit hvac client: the token is exactly what we pass (hvac
would otherwise read VAULT_TOKEN or ~/.vault-token on its own), and Vault or
network failures become one-line OperationalErrors that carry Vault's
reason but never a request body."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import hvac
import hvac.exceptions
import requests

from wildside.contract import names
from wildside.core.errors import BadInput, OperationalError

ADDRESS_ENV = names.VAULT_ADDRESS_ENV
TOKEN_ENV = "VAULT_TOKEN"  # noqa: S105 - the variable's name
CA_ENV = "VAULT_CACERT"
ROLE_ID_ENV = "VAULT_ROLE_ID"
SECRET_ID_ENV = "VAULT_SECRET_ID"  # noqa: S105 - the variable's name


DEFAULT_TIMEOUT_SECONDS = 30.0


def make(
    address: str,
    token: str | None = None,
    ca_file: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> hvac.Client:
    if not address.startswith(("http://", "https://")):
        raise BadInput(
            f"Vault address {address!r} is not a URL: write e.g. https://vault.example.com:8200"
        )
    verify: bool | str = ca_file if ca_file else True
    client = hvac.Client(url=address.rstrip("/"), token="", verify=verify, timeout=timeout)
    client.token = token or ""
    return client


@contextmanager
def vault_errors(what: str) -> Iterator[None]:
    try:
        yield
    except hvac.exceptions.Forbidden:
        raise OperationalError(
            f"Vault refused to {what}: permission denied (the token lacks a policy for it)"
        ) from None
    except hvac.exceptions.VaultError as error:
        reasons = "; ".join(str(e) for e in (error.errors or [])) or type(error).__name__
        raise OperationalError(f"Vault could not {what}: {reasons}") from None
    except requests.exceptions.SSLError:
        raise OperationalError(
            f"TLS verification failed while trying to {what}: pass the appliance's CA "
            f"with --ca-file or {CA_ENV}"
        ) from None
    except requests.exceptions.RequestException as error:
        raise OperationalError(
            f"cannot reach Vault to {what} ({type(error).__name__}): check the address "
            "and that the service runs"
        ) from None


def from_environment(*, purpose: str) -> hvac.Client:
    """A client for routine work (preview secrets), authenticated with
    VAULT_TOKEN, or an AppRole login with VAULT_ROLE_ID and VAULT_SECRET_ID."""
    address = os.environ.get(ADDRESS_ENV)
    if not address:
        raise BadInput(f"{purpose} needs Vault: set {ADDRESS_ENV} (and {TOKEN_ENV})")
    client = make(address, os.environ.get(TOKEN_ENV), os.environ.get(CA_ENV))
    if client.token:
        return client
    role_id, secret_id = os.environ.get(ROLE_ID_ENV), os.environ.get(SECRET_ID_ENV)
    if role_id and secret_id:
        with vault_errors("log in with the AppRole from VAULT_ROLE_ID/VAULT_SECRET_ID"):
            client.auth.approle.login(role_id=role_id, secret_id=secret_id)
        return client
    raise BadInput(
        f"{purpose} needs a Vault token: set {TOKEN_ENV}, or {ROLE_ID_ENV} and {SECRET_ID_ENV}"
    )


def read_kv(client: hvac.Client, mount: str, path: str) -> tuple[dict[str, str], int]:
    """Current data and version (0: never written)."""
    with vault_errors(f"read {mount}/{path}"):
        try:
            response = client.secrets.kv.v2.read_secret_version(
                path=path, mount_point=mount, raise_on_deleted_version=False
            )
        except hvac.exceptions.InvalidPath:
            return {}, 0
    data = response["data"]
    return dict(data.get("data") or {}), int(data["metadata"]["version"])
