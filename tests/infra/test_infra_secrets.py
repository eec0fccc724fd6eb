"""No credential is hard-coded anywhere under infra/ (all secrets come from TF_VAR_* or env)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support.infra_hcl import INFRA, rel

TOKEN_PATTERNS = {
    "DigitalOcean token": re.compile(r"do[por]_v1_[a-f0-9]{20,}"),
    "GitHub token": re.compile(r"(ghp|gho|ghs|ghu)_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"),
    "Vault/OpenBao token": re.compile(r"\b(hvs|hvb|s)\.[A-Za-z0-9]{24,}"),
    "AWS-style access key": re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "Slack token": re.compile(r"xox[abpr]-[A-Za-z0-9-]{10,}"),
}
# `secret = "..."`-style assignments of a literal that looks generated (letters and digits,
# 16+ characters). Key *names* such as "ACCESS_SECRET_KEY" have no digits and pass.
ASSIGNED_SECRET = re.compile(
    r"(?i)\b[\w-]*(token|password|passwd|secret|api_key|access_key|private_key)[\w-]*\"?\s*[=:]\s*"
    r"\"([^\"$%{}\s]{16,})\""
)


def _looks_generated(value: str) -> bool:
    return bool(re.search(r"[0-9]", value) and re.search(r"[A-Za-z]", value))


def scan(text: str) -> list[str]:
    findings = [label for label, pattern in TOKEN_PATTERNS.items() if pattern.search(text)]
    findings += [
        f"literal {m.group(1)} value"
        for m in ASSIGNED_SECRET.finditer(text)
        if _looks_generated(m.group(2))
    ]
    return findings


FILES = sorted(
    p
    for p in INFRA.rglob("*")
    if p.is_file() and not any(part.startswith(".terraform") for part in p.parts)
)


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_no_hard_coded_secret(path: Path) -> None:
    assert not scan(path.read_text(encoding="utf-8")), rel(path)


@pytest.mark.parametrize(
    "sample",
    [
        'token = "dop_v1_' + "0123456789abcdef" * 4 + '"',
        'password = "Zm9vYmFyYmF6MTIzNDU2"',
        "-----BEGIN OPENSSH " + "PRIVATE KEY-----",
        'api_key: "' + "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8" + '"',
    ],
)
def test_the_scanner_catches_planted_secrets(sample: str) -> None:
    assert scan(sample)


@pytest.mark.parametrize(
    "sample",
    [
        'secret_key = "ACCESS_SECRET_KEY"',
        "digitalocean_api_token = var.dns_api_token",
        "token_ttl = 3600",
        "openbao_package_sha256 = var.openbao_package_sha256",
    ],
)
def test_the_scanner_ignores_names_and_references(sample: str) -> None:
    assert not scan(sample)
