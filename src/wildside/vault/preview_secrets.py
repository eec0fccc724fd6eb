"""A preview's secrets in Vault: seeded from a template path and generated
values, never regenerated once they exist, removed with the preview."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import hvac
import hvac.exceptions

from wildside.apps_repo.config import AppsConfig
from wildside.core import names
from wildside.core.errors import BadInput, OperationalError
from wildside.core.yaml_io import dump
from wildside.previews.model import PreviewRequest
from wildside.previews.render import OverlayExtras
from wildside.vault import external_secret as es
from wildside.vault.client import vault_errors

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_PATH = re.compile(r"[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*")
_CAS_ATTEMPTS = 5


def secret_key(value: str) -> str:
    if not _KEY.fullmatch(value):
        raise BadInput(
            f"--generate-secret {value!r} is not a key name: use letters, digits and '_', "
            "not starting with a digit (e.g. SESSION_KEY)"
        )
    return value


def template_path(value: str) -> str:
    candidate = value.strip().strip("/")
    if not _PATH.fullmatch(candidate) or ".." in candidate.split("/"):
        raise BadInput(
            f"--seed-secrets-from {value!r} is not a KV path: write it without the mount "
            f"and without data/ (e.g. {es.app_path('staging')})"
        )
    return candidate


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


def seed(
    client: hvac.Client, pr: int, plan: SeedPlan, generate: Callable[[], str] = generate_value
) -> SeedResult:
    """Merge template values and generated values into the preview's path;
    keys already there are kept as they are (a re-run changes nothing).
    Writes with check-and-set so a concurrent run cannot overwrite a value."""
    path = es.preview_path(pr)
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


def delete(client: hvac.Client, pr: int, mount: str = names.VAULT_KV_MOUNT) -> bool:
    """Remove every version and the metadata; absent paths succeed (False)."""
    path = es.preview_path(pr)
    with vault_errors(f"read the metadata of {mount}/{path}"):
        try:
            client.secrets.kv.v2.read_secret_metadata(path=path, mount_point=mount)
        except hvac.exceptions.InvalidPath:
            return False
    with vault_errors(f"delete {mount}/{path}"):
        client.secrets.kv.v2.delete_metadata_and_all_versions(path=path, mount_point=mount)
    return True


def overlay_extras(config: AppsConfig, pr: int) -> OverlayExtras:
    name = es.secret_name(config.app)
    return OverlayExtras(
        files={es.FILE_NAME: dump(es.external_secret(name, es.preview_path(pr)))},
        values={"secrets": {"existingSecret": name}},
    )


def extras_factory(
    client: hvac.Client, plan: SeedPlan, results: list[SeedResult]
) -> Callable[[AppsConfig, PreviewRequest], list[OverlayExtras]]:
    """For `previews.service.up`: seeds Vault (idempotent, so the commit
    loop may call it again) before the overlay that refers to it is pushed."""

    def factory(config: AppsConfig, request: PreviewRequest) -> list[OverlayExtras]:
        results.append(seed(client, request.pr, plan))
        return [overlay_extras(config, request.pr)]

    return factory
