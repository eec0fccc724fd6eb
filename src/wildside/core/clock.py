"""Time as a value, so pure functions can take it and tests can fix it."""

from __future__ import annotations

from datetime import UTC, datetime

LABEL_FORMAT = "%Y%m%dT%H%M%SZ"


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def to_label(moment: datetime) -> str:
    """A timestamp that is a valid Kubernetes label value (no ':')."""
    return moment.astimezone(UTC).strftime(LABEL_FORMAT)


def from_label(value: str) -> datetime:
    return datetime.strptime(value, LABEL_FORMAT).replace(tzinfo=UTC)


def to_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
