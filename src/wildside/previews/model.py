"""What a preview is: the request that creates it and the record read back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class PreviewRequest:
    """A validated `preview up`: every field has passed the edge checks."""

    pr: int
    sha: str
    images: dict[str, str] = field(default_factory=dict)
    preview_domain: str | None = None
    ttl: timedelta | None = None
    pinned: bool | None = None


@dataclass(frozen=True)
class PreviewRecord:
    """A preview as stored in the apps repository's metadata."""

    pr: int
    sha: str
    url: str
    namespace: str
    path: str
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    pinned: bool

    def age(self, now: datetime) -> timedelta:
        return now - self.created_at

    def expired(self, now: datetime) -> bool:
        return not self.pinned and now >= self.expires_at
