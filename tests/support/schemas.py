"""Validate rendered objects: custom resources against the vendored
schemas in tests/data/schemas,
core kinds with kubernetes-validate --strict."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate

from support.tools import schemas_dir

KUBERNETES_VERSION = "1.33.0"


@cache
def _schema(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def schema_path(api_version: str, kind: str) -> Path | None:
    if "/" not in api_version:
        return None
    group, version = api_version.split("/", 1)
    candidate = schemas_dir() / group / f"{kind.lower()}_{version}.json"
    return candidate if candidate.is_file() else None


def is_custom(api_version: str) -> bool:
    group = api_version.split("/", 1)[0] if "/" in api_version else ""
    return "." in group and not group.endswith(".k8s.io")


def validate(obj: dict[str, Any]) -> None:
    api_version, kind = obj["apiVersion"], obj["kind"]
    if is_custom(api_version):
        path = schema_path(api_version, kind)
        assert path is not None, f"no schema for {api_version} {kind} in {schemas_dir()}"
        validator_class = jsonschema.validators.validator_for(_schema(path))
        validator = validator_class(_schema(path))
        errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.path))
        assert not errors, f"{kind} {obj['metadata'].get('name')}: " + "; ".join(
            f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]
        )
    else:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def validate_all(objects: list[dict[str, Any]]) -> None:
    for obj in objects:
        validate(obj)
