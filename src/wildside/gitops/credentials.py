"""Credentials for a Git URL, kept out of argv, `.git/config` and every message.

A URL's userinfo (`https://user:token@host/...`) or `WILDSIDE_GIT_TOKEN` (for an
HTTPS URL) becomes an Authorization header that Git reads from its environment
(GIT_CONFIG_*), scoped to the repository URL alone; Git itself only ever sees
the URL without userinfo."""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

TOKEN_VARIABLE = "WILDSIDE_GIT_TOKEN"  # noqa: S105 - a variable name, not a secret
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")
REDACTED = "***"


@dataclass(frozen=True)
class Credentials:
    url: str  # the URL Git is given: no userinfo for http(s)
    header: str | None  # "Authorization: Basic ..." or None
    secrets: tuple[str, ...]  # every form of the secret that must never be shown


def strip_userinfo(url: str) -> str:
    """`url` without userinfo for http(s) (the place credentials go); other
    URLs (ssh's `git@host:`) keep their user name, which is not a secret."""
    if not url.startswith(("https://", "http://")):
        return _USERINFO.sub(lambda m: m["scheme"], url) if ":" in _userinfo(url) else url
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host))


def _userinfo(url: str) -> str:
    match = _USERINFO.match(url)
    return match.group(0)[len(match["scheme"]) : -1] if match else ""


def display(url: str) -> str:
    """A URL safe to print: userinfo of http(s) URLs removed, any password removed."""
    return strip_userinfo(url)


def for_url(url: str) -> Credentials:
    plain = strip_userinfo(url)
    secrets: list[str] = []
    pair: str | None = None
    if url.startswith(("https://", "http://")):
        userinfo = urlsplit(url).netloc.rpartition("@")[0]
        if userinfo:
            user, _, password = userinfo.partition(":")
            pair = f"{unquote(user)}:{unquote(password)}"
            secrets += [userinfo, unquote(user), unquote(password)]
    elif ":" in _userinfo(url):
        secrets.append(_userinfo(url).partition(":")[2])
    token = os.environ.get(TOKEN_VARIABLE, "")
    if token:
        secrets.append(token)
        if pair is None and url.startswith("https://"):
            pair = f"x-access-token:{token}"
    header = None
    if pair is not None:
        basic = base64.b64encode(pair.encode()).decode()
        header = f"Authorization: Basic {basic}"
        secrets.append(basic)
    # a user name alone (`git`, `x-access-token`) is no secret worth hiding everywhere
    kept = tuple(s for s in dict.fromkeys(secrets) if len(s) >= 8)
    return Credentials(url=plain, header=header, secrets=kept)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` with every secret and every URL userinfo replaced."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return _USERINFO.sub(lambda m: m["scheme"], text)
