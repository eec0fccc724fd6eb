"""Checks for every value a user hands us, each failing with a one-line
message that names the value and says how to fix it."""

from __future__ import annotations

import re
from datetime import timedelta

from wildside.core.errors import BadInput

MAX_PR_NUMBER = 99_999_999
_PR = re.compile(r"[0-9]{1,8}")  # ASCII only: str.isdigit() also accepts "²"
_SHA = re.compile(r"[0-9a-f]{7,40}")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_TTL = re.compile(r"(\d+)([mhdw])")
_TTL_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# The Docker distribution grammar for a repository (no tag or digest: the tag is the SHA).
_HOST_PART = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_REGISTRY = rf"(?:{_HOST_PART}(?:\.{_HOST_PART})*(?::[0-9]+)?/)?"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_IMAGE_REPOSITORY = re.compile(_REGISTRY + _PATH_COMPONENT + r"(?:/" + _PATH_COMPONENT + r")*")
_COMPONENT = re.compile(r"[a-z]([a-z0-9-]{0,30}[a-z0-9])?")


def pr_number(value: int | str) -> int:
    text = str(value).strip()
    if not _PR.fullmatch(text) or not 1 <= int(text) <= MAX_PR_NUMBER:
        raise BadInput(
            f"--pr {value!r} is not a pull request number: give a whole number "
            f"from 1 to {MAX_PR_NUMBER}"
        )
    return int(text)


def commit_sha(value: str) -> str:
    normalised = value.strip().lower()
    if not _SHA.fullmatch(normalised):
        raise BadInput(
            f"--sha {value!r} is not a commit SHA: give 7 to 40 hexadecimal characters "
            "(e.g. the output of `git rev-parse HEAD`)"
        )
    return normalised


def dns_label(value: str, *, option: str) -> str:
    if not _LABEL.fullmatch(value):
        raise BadInput(
            f"{option} {value!r} is not an RFC 1123 label: use 1-63 lowercase letters, "
            "digits and '-', starting and ending with a letter or digit"
        )
    return value


MAX_HOSTNAME = 253
# Room for the longest preview host, pr-99999999.<domain>, within MAX_HOSTNAME.
MAX_DOMAIN = MAX_HOSTNAME - len(f"pr-{MAX_PR_NUMBER}.")


def _dns_name(value: str, option: str, limit: int) -> str:
    normalised = value.strip().lower().rstrip(".")
    labels = normalised.split(".")
    if len(labels) < 2 or len(normalised) > limit or not all(_LABEL.fullmatch(p) for p in labels):
        raise BadInput(
            f"{option} {value!r} is not a DNS name: use dot-separated RFC 1123 labels "
            f"(e.g. previews.example.com), at most {limit} characters"
        )
    return normalised


def domain(value: str, *, option: str = "--preview-domain") -> str:
    """A domain under which every preview host pr-N.<domain> is a valid hostname."""
    return _dns_name(value, option, MAX_DOMAIN)


def hostname(value: str, *, option: str = "--host") -> str:
    return _dns_name(value, option, MAX_HOSTNAME)


def image_repository(value: str, *, option: str = "--image") -> str:
    candidate = value.strip()
    if len(candidate) > 255 or not _IMAGE_REPOSITORY.fullmatch(candidate):
        raise BadInput(
            f"{option} {value!r} is not an image repository: give REGISTRY/PATH without a tag "
            "(e.g. ghcr.io/acme/wildside-backend); the tag is the commit SHA"
        )
    return candidate


def component_name(value: str, *, option: str = "--image") -> str:
    if not _COMPONENT.fullmatch(value):
        raise BadInput(
            f"{option} component {value!r} is not a component name: use lowercase letters, "
            "digits and '-' (e.g. backend)"
        )
    return value


def image_assignment(value: str) -> tuple[str, str]:
    """Parse `component=repository` as given to a repeatable --image option."""
    if "=" not in value:
        raise BadInput(
            f"--image {value!r} names no component: write COMPONENT=REPOSITORY "
            "(e.g. backend=ghcr.io/acme/wildside-backend)"
        )
    component, repository = value.split("=", 1)
    return component_name(component.strip()), image_repository(repository)


def ttl(value: str, *, option: str = "--ttl") -> timedelta:
    match = _TTL.fullmatch(value.strip().lower())
    if match is None:
        raise BadInput(
            f"{option} {value!r} is not a duration: write a number and a unit m, h, d or w "
            "(e.g. 72h or 7d)"
        )
    digits = match.group(1).lstrip("0") or "0"
    # A number too large for timedelta is out of range too (not an OverflowError).
    if len(digits) > 7:
        raise BadInput(f"{option} {value!r} is out of range: choose between 1h and 365d")
    amount = timedelta(**{_TTL_UNITS[match.group(2)]: int(digits)})
    if not timedelta(hours=1) <= amount <= timedelta(days=365):
        raise BadInput(f"{option} {value!r} is out of range: choose between 1h and 365d")
    return amount


def format_ttl(amount: timedelta) -> str:
    seconds = int(amount.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds // 60}m"
