"""Names and markers of the databases and roles wildside owns. A database is
a preview database only when its name AND its comment say so: drop refuses
anything else."""

from __future__ import annotations

import re
import secrets

from wildside.contract import db_marker, identity, names

PREVIEW_PREFIX = identity.DATABASE_PREFIX
POOL_PREFIX = "wildside_pool_"
TEMPLATE_OWNER = "wildside_template_owner"  # owns the template's objects; clones reassign them
PREVIEW_MARKER = db_marker.PREVIEW
POOL_MARKER = "wildside-pool"
DEFAULT_TEMPLATE = names.TEMPLATE_DATABASE
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def database_of(pr: int) -> str:
    return identity.database_name(pr)


def role_of(pr: int) -> str:
    return identity.database_name(pr)


def preview_comment(pr: int, created_epoch: int) -> str:
    return db_marker.comment(pr, created_epoch)


def pr_of_comment(comment: str | None) -> int | None:
    return db_marker.pr_of(comment)


def is_preview(database: str, comment: str | None) -> bool:
    """Both the name and the marker comment must agree on the same PR."""
    pr = pr_of_comment(comment)
    return pr is not None and database == database_of(pr)


def pool_comment(template: str, version: int) -> str:
    return f"{POOL_MARKER} template={template} version={version}"


def pool_comment_prefix(template: str) -> str:
    """Every pool comment of `template`, current, stale or retired, starts so."""
    return f"{POOL_MARKER} template={template} "


def retired_pool_comment(template: str) -> str:
    """Set (under the claim lock) on a pool database `pool fill` is about to
    drop, so no claim picks it any more; the next fill drops it if this one
    is killed first."""
    return f"{pool_comment_prefix(template)}retired"


def pool_database(version: int) -> str:
    """A new pool database's name carries the template's version (its oid):
    one left without a comment by an interrupted fill is known by its name."""
    return f"{POOL_PREFIX}{version}_{secrets.token_hex(6)}"


def pool_version_of(name: str) -> int | None:
    match = re.fullmatch(rf"{POOL_PREFIX}(\d+)_[0-9a-f]+", name)
    return int(match.group(1)) if match else None


def building_name(template: str) -> str:
    return f"{template}__next"[:63]


def retired_name(template: str) -> str:
    return f"{template}__old"[:63]


def is_identifier(value: str) -> bool:
    return bool(_IDENTIFIER.fullmatch(value))
