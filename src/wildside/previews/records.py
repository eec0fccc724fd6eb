"""The files that hold a preview's state in its overlay directory, beside the
manifests (kustomize reads only what kustomization.yaml lists):
`preview.yaml`, the record and every persisted option, and `tombstone.yaml`,
which `preview down` leaves in the otherwise emptied directory."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from wildside.core import clock, validation
from wildside.core.yaml_io import dump
from wildside.previews.model import PreviewOptions, PreviewRecord, Tombstone

RECORD_FILE = "preview.yaml"
TOMBSTONE_FILE = "tombstone.yaml"
API_VERSION = "previews.wildside.dev/v1"
HISTORY_LENGTH = 20


def _ttl_text(ttl: timedelta | None) -> str | None:
    return validation.format_ttl(ttl) if ttl is not None else None


def record_document(record: PreviewRecord) -> dict[str, Any]:
    options = record.options
    return {
        "apiVersion": API_VERSION,
        "kind": "Preview",
        "pr": record.pr,
        "sha": record.sha,
        "createdAt": clock.to_label(record.created_at),
        "updatedAt": clock.to_label(record.updated_at),
        "expiresAt": clock.to_label(record.expires_at),
        "options": {
            "images": dict(options.images),
            "ttl": _ttl_text(options.ttl),
            "pinned": options.pinned,
            "database": options.database,
            "secrets": options.secrets,
            "previewDomain": options.preview_domain,
            "values": dict(options.values),
        },
        "history": list(record.history[:HISTORY_LENGTH]),
    }


def record_text(record: PreviewRecord) -> str:
    return dump(record_document(record))


def parse_options(document: dict[str, Any]) -> PreviewOptions:
    options = document.get("options") or {}
    ttl = options.get("ttl")
    domain = options.get("previewDomain")
    return PreviewOptions(
        images={str(k): str(v) for k, v in (options.get("images") or {}).items()},
        ttl=validation.ttl(str(ttl), option="options.ttl") if ttl else None,
        pinned=options.get("pinned") is True,
        database=options.get("database") is True,
        secrets=options.get("secrets") is True,
        preview_domain=str(domain) if domain else None,
        values=dict(options.get("values") or {}),
    )


def parse_history(document: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(sha) for sha in document.get("history") or [])


def tombstone_text(tombstone: Tombstone) -> str:
    return dump(
        {
            "apiVersion": API_VERSION,
            "kind": "Tombstone",
            "pr": tombstone.pr,
            "closedAt": clock.to_label(tombstone.closed_at),
            "sha": tombstone.sha,
            "leftBehind": list(tombstone.left_behind),
        }
    )


def parse_tombstone(document: dict[str, Any]) -> Tombstone:
    sha = document.get("sha")
    return Tombstone(
        pr=int(document["pr"]),
        closed_at=clock.from_label(str(document["closedAt"])),
        sha=str(sha) if sha else None,
        left_behind=tuple(str(item) for item in document.get("leftBehind") or []),
    )
