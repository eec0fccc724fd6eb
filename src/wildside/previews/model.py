"""What a preview is: the request that creates it, the record read back (the
source of truth for every option), and the tombstone `down` leaves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class PreviewRequest:
    """A validated `preview up`: every field has passed the edge checks.
    None means "not given": the preview keeps what its record says."""

    pr: int
    sha: str
    images: dict[str, str] = field(default_factory=dict)
    preview_domain: str | None = None
    ttl: timedelta | None = None
    pinned: bool | None = None
    database: bool | None = None
    secrets: bool | None = None
    default_images: bool = False  # drop every --image given before
    reset_options: bool = False  # forget every stored option; this request's flags apply on top
    values: dict[str, Any] | None = None  # extra chart values (may hold placeholders)
    clear_values: bool = False  # drop the extra values given before
    reopen: bool = False  # override a tombstone: the pull request was reopened


@dataclass(frozen=True)
class PreviewOptions:
    """Options that persist with a preview until changed explicitly."""

    images: dict[str, str] = field(default_factory=dict)  # overrides of wildside.yaml's
    ttl: timedelta | None = None  # None: wildside.yaml's preview_ttl
    pinned: bool = False
    database: bool = False
    secrets: bool = False
    preview_domain: str | None = None  # None: wildside.yaml's preview_domain
    values: dict[str, Any] = field(default_factory=dict)  # merged over the values template

    def updated_by(self, request: PreviewRequest) -> PreviewOptions:
        kept = PreviewOptions() if request.reset_options else self
        images = {} if request.default_images else dict(kept.images)
        images.update(request.images)
        return PreviewOptions(
            images=dict(sorted(images.items())),
            ttl=request.ttl if request.ttl is not None else kept.ttl,
            pinned=request.pinned if request.pinned is not None else kept.pinned,
            database=request.database if request.database is not None else kept.database,
            secrets=request.secrets if request.secrets is not None else kept.secrets,
            preview_domain=request.preview_domain or kept.preview_domain,
            values={}
            if request.clear_values
            else dict(request.values if request.values is not None else kept.values),
        )


@dataclass(frozen=True)
class PreviewRecord:
    """A preview as stored in the apps repository (`preview.yaml`)."""

    pr: int
    sha: str
    url: str
    namespace: str
    path: str
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    pinned: bool
    options: PreviewOptions = field(default_factory=PreviewOptions)
    # SHAs deployed before this one, newest first: a re-run of an old workflow
    # carrying one of them is older than the deployed SHA and writes nothing.
    history: tuple[str, ...] = ()

    def age(self, now: datetime) -> timedelta:
        return now - self.created_at

    def expired(self, now: datetime) -> bool:
        return not self.pinned and now >= self.expires_at


@dataclass(frozen=True)
class Tombstone:
    """What `preview down` leaves: a later `up` of the PR writes nothing unless
    the pull request was reopened. `left_behind` names what the preview owned
    outside Git (Vault path, database role) for `preview gc` to finish."""

    pr: int
    closed_at: datetime
    sha: str | None
    left_behind: tuple[str, ...] = ()
