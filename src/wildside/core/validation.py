"""Checks for every value a user hands us, each failing with a one-line
message that names the value and says how to fix it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from wildside.core.errors import BadInput

if TYPE_CHECKING:
    from pydantic import ValidationError

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


# A path segment of a Vault KV path or mount: no empty, "." or ".." segment.
_KV_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_MOUNT_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")
_BRANCH = re.compile(r"[A-Za-z0-9._/-]{1,200}")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}")


def kv_path(value: str, *, option: str) -> str:
    """A Vault KV v2 path relative to its mount: no leading slash, no `data/`
    segment (the API adds it), no `.`/`..` segment (e.g. wildside/platform/dns)."""
    cleaned = value.strip().strip("/")
    segments = cleaned.split("/")
    if (
        len(cleaned) > 512
        or not all(_KV_SEGMENT.fullmatch(segment) for segment in segments)
        or segments[0] in ("data", "metadata")
    ):
        raise BadInput(
            f"{option} {value!r} is not a Vault KV path: give a path under the KV mount "
            "without the mount and without data/ (e.g. wildside/platform/dns)"
        )
    return cleaned


def vault_mount(value: str, *, option: str) -> str:
    """The path a Vault secrets engine or auth method is mounted at (e.g. secret)."""
    cleaned = value.strip().strip("/")
    segments = cleaned.split("/")
    if len(segments) > 4 or not all(_MOUNT_SEGMENT.fullmatch(segment) for segment in segments):
        raise BadInput(
            f"{option} {value!r} is not a Vault mount path: use letters, digits, '-' and '_', "
            "segments separated by '/' (e.g. secret or kubernetes)"
        )
    return cleaned


def branch(value: str, *, option: str = "--branch") -> str:
    """A branch name Git accepts (git check-ref-format --branch) in a portable
    alphabet, and that can never be read as an option."""
    parts = value.split("/")
    if (
        not _BRANCH.fullmatch(value)
        or value.startswith("-")
        or ".." in value
        or any(not part or part.startswith(".") or part.endswith(".lock") for part in parts)
        or value.endswith(".")
    ):
        raise BadInput(
            f"{option} {value!r} is not a valid Git branch name: use letters, digits, "
            "'-', '_', '.' and '/' (e.g. main or previews)"
        )
    return value


def email(value: str, *, option: str) -> str:
    """An e-mail address whose domain is a DNS name (e.g. ops@example.com)."""
    cleaned = value.strip()
    local, _, host = cleaned.rpartition("@")
    labels = host.lower().split(".")
    if (
        not _EMAIL_LOCAL.fullmatch(local)
        or len(labels) < 2
        or len(host) > MAX_HOSTNAME
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise BadInput(f"{option} {value!r} is not an e-mail address (e.g. ops@example.com)")
    return cleaned


_QUANTITY = re.compile(r"[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)?")


def quantity(value: str, *, option: str) -> str:
    """A Kubernetes resource quantity (e.g. 500m, 2, 2Gi)."""
    if len(value) > 32 or not _QUANTITY.fullmatch(value):
        raise BadInput(f"{option} {value!r} is not a Kubernetes quantity (e.g. 500m, 2Gi)")
    return value


_HTTPS_ORIGIN = re.compile(r"https://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


def vault_address(value: str, *, option: str) -> str:
    """The Vault API address: https://HOST[:PORT] (no path: clients add /v1/...)."""
    cleaned = value.strip().rstrip("/")
    if not _HTTPS_ORIGIN.fullmatch(cleaned):
        raise BadInput(
            f"{option} {value!r} is not https://HOST[:PORT]: give the Vault API address "
            "(e.g. https://vault.example.com:8200)"
        )
    return cleaned


def pem_certificate(value: str, *, option: str) -> str:
    """A public PEM certificate (a CA's), never a private key."""
    text = value.strip()
    if not text.startswith("-----BEGIN CERTIFICATE-----") or "PRIVATE KEY" in text:
        raise BadInput(
            f"{option} is not a PEM certificate: give the CA certificate only "
            "(-----BEGIN CERTIFICATE-----), never a key"
        )
    return text + "\n"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def config_error(source: str, error: ValidationError, *, within: tuple[str, ...] = ()) -> BadInput:
    """One line for the first error pydantic found in a configuration file:
    `<file>: <field>: <what is wrong and how to fix it>`. `within` is where
    the validated mapping sits in the file (e.g. components.monitoring)."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in (*within, *first["loc"]))
    message = str(first["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    head, _, rest = message.partition(" ")
    # A check names its subject first ("dns.token_path '/x' is not ..."): say it once.
    if field and rest and f".{field}".endswith(f".{head}"):
        message = rest
    elif field and rest and head.startswith(f"{field}."):
        field, message = head, rest
    elif "input" in first and first["type"] not in ("missing", "extra_forbidden", "value_error"):
        message = f"{message} (got {_shown(first['input'])})"
    if not field:
        return BadInput(f"{source}: {message}")
    return BadInput(f"{source}: {field}: {message}")
