"""A preview's secrets in Vault: seeded from a template path and generated
values, never regenerated once they exist, removed with the preview."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import hvac
import hvac.exceptions

from wildside.contract import names, vault_paths
from wildside.contract.identity import PreviewIdentity, pr_of_directory
from wildside.contract.overlay import OverlayExtras
from wildside.core import validation
from wildside.core.errors import BadInput, OperationalError
from wildside.vault import preview_overlay
from wildside.vault.client import read_kv, vault_errors

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_CAS_ATTEMPTS = 5


def secret_key(value: str) -> str:
    if not _KEY.fullmatch(value):
        raise BadInput(
            f"--generate-secret {value!r} is not a key name: use letters, digits and '_', "
            "not starting with a digit (e.g. SESSION_KEY)"
        )
    return value


SEED_ALLOW_ENV = "WILDSIDE_SEED_ALLOW"
DEFAULT_SEED_ALLOW = (vault_paths.app_environment("staging"),)
_PRODUCTION = vault_paths.app_environment("production")


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(f"{prefix}/")


def _is_production(path: str) -> bool:
    # production, production/x and production-eu alike: as the deployer policy denies them
    return path.startswith(_PRODUCTION)


def seed_allow_list(raw: str | None) -> tuple[str, ...]:
    """The configured seed sources (comma-separated KV paths), default staging
    only. Production can never be one of them."""
    if not raw or not raw.strip():
        return DEFAULT_SEED_ALLOW
    allowed = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        path = validation.kv_path(item, option=SEED_ALLOW_ENV)
        if _is_production(path):
            raise BadInput(
                f"{SEED_ALLOW_ENV} names {path!r}: production secrets never seed a preview "
                "(previews run pull-request code); remove it"
            )
        allowed.append(path)
    return tuple(allowed) or DEFAULT_SEED_ALLOW


def template_path(value: str, allowed: tuple[str, ...] = DEFAULT_SEED_ALLOW) -> str:
    path = validation.kv_path(value, option="--seed-secrets-from")
    if _is_production(path):
        raise BadInput(
            f"--seed-secrets-from {path!r} is a production path: previews run pull-request "
            f"code and never receive production secrets; seed from {allowed[0]!r}"
        )
    if not any(_under(path, prefix) for prefix in allowed):
        raise BadInput(
            f"--seed-secrets-from {path!r} is not an allowed seed source "
            f"({', '.join(allowed)}): use one, or add it to {SEED_ALLOW_ENV}"
        )
    return path


def generate_value() -> str:
    return secrets.token_urlsafe(48)


@dataclass(frozen=True)
class SeedPlan:
    template: str | None = None
    generate: tuple[str, ...] = ()
    mount: str = names.VAULT_KV_MOUNT


@dataclass
class SeedResult:
    path: str
    written: bool = False
    copied: list[str] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def seed(
    client: hvac.Client,
    identity: PreviewIdentity,
    plan: SeedPlan,
    generate: Callable[[], str] = generate_value,
) -> SeedResult:
    """Merge template values and generated values into the preview's path;
    keys already there are kept as they are (a re-run changes nothing).
    Writes with check-and-set so a concurrent run cannot overwrite a value."""
    path = identity.vault_path
    template: dict[str, str] = {}
    if plan.template:
        template, version = read_kv(client, plan.mount, plan.template)
        if version == 0:
            raise OperationalError(
                f"template {plan.mount}/{plan.template} holds no secret: write it first "
                "(bao kv put) or drop --seed-secrets-from"
            )
    for _attempt in range(_CAS_ATTEMPTS):
        current, version = read_kv(client, plan.mount, path)
        result = SeedResult(path=path)
        merged = dict(current)
        for key in sorted(template):
            if key in merged:
                result.kept.append(key)
            else:
                merged[key] = template[key]
                result.copied.append(key)
        for key in plan.generate:
            if key in merged:
                if key not in result.kept:
                    result.kept.append(key)
            else:
                merged[key] = generate()
                result.generated.append(key)
        if merged == current and version > 0:
            return result
        with vault_errors(f"write {plan.mount}/{path}"):
            try:
                client.secrets.kv.v2.create_or_update_secret(
                    path=path, secret=merged, cas=version, mount_point=plan.mount
                )
            except hvac.exceptions.InvalidRequest as error:
                if "check-and-set" not in str(error):
                    raise
                continue  # someone else wrote first: merge again on top of theirs
        result.written = True
        return result
    raise OperationalError(f"{plan.mount}/{path} kept changing under us; run again")


def delete(
    client: hvac.Client, identity: PreviewIdentity, mount: str = names.VAULT_KV_MOUNT
) -> bool:
    """Remove every version and the metadata; absent paths succeed (False)."""
    path = identity.vault_path
    with vault_errors(f"read the metadata of {mount}/{path}"):
        try:
            client.secrets.kv.v2.read_secret_metadata(path=path, mount_point=mount)
        except hvac.exceptions.InvalidPath:
            return False
    with vault_errors(f"delete {mount}/{path}"):
        client.secrets.kv.v2.delete_metadata_and_all_versions(path=path, mount_point=mount)
    return True


def preview_paths(
    client: hvac.Client, app: str, mount: str = names.VAULT_KV_MOUNT
) -> dict[int, datetime]:
    """Every preview path of `app` in Vault and when it was last written, so
    gc can remove the ones no preview owns any more."""
    folder = vault_paths.previews_of(app)
    with vault_errors(f"list {mount}/{folder}"):
        try:
            listed = client.secrets.kv.v2.list_secrets(path=folder, mount_point=mount)
        except hvac.exceptions.InvalidPath:
            return {}
    found: dict[int, datetime] = {}
    for key in listed.get("data", {}).get("keys", []):
        pr = pr_of_directory(str(key))
        if pr is None:
            continue
        path = vault_paths.preview(app, pr)
        with vault_errors(f"read the metadata of {mount}/{path}"):
            meta = client.secrets.kv.v2.read_secret_metadata(path=path, mount_point=mount)
        stamp = str(meta["data"].get("updated_time") or meta["data"]["created_time"])
        found[pr] = datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    return found


def overlay(identity: PreviewIdentity) -> OverlayExtras:
    return preview_overlay.overlay(identity)
