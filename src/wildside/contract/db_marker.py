"""The markers wildside writes as PostgreSQL comments. Every preview
database and role it creates carries `wildside-preview pr=<N> created=<epoch>`:
nothing without it is ever dropped. Every template `wildside db template
refresh` builds carries `wildside-template sha256=<digest of its inputs>`:
nothing without it is ever cloned. It is defined here once and emitted for
each language that needs it: Python (write and parse), shell (the role Job
writes it) and an SQL regular expression (the Job's sweep matches it)."""

from __future__ import annotations

import re

PREVIEW = "wildside-preview"
TEMPLATE = "wildside-template"
_PARSE = re.compile(rf"{re.escape(PREVIEW)} pr=(\d+)(?: .*)?")
_TEMPLATE = re.compile(rf"{re.escape(TEMPLATE)} sha256=[0-9a-f]{{64}}")


def comment(pr: int, created_epoch: int) -> str:
    return f"{PREVIEW} pr={pr} created={created_epoch}"


def pr_of(comment_text: str | None) -> int | None:
    match = _PARSE.fullmatch(comment_text or "")
    return int(match.group(1)) if match else None


def template_comment(digest: str) -> str:
    return f"{TEMPLATE} sha256={digest}"


def is_template(comment_text: str | None) -> bool:
    return bool(_TEMPLATE.fullmatch(comment_text or ""))


def shell_assignment(variable: str, pr_variable: str) -> str:
    """A POSIX shell line that sets `variable` to the marker for the PR in
    `$pr_variable`, created now."""
    return f'{variable}="{PREVIEW} pr=${pr_variable} created=$(date +%s)"'


# PostgreSQL's `~` operator (POSIX regular expression), matching what `comment` writes.
SQL_PATTERN = rf"^{PREVIEW} pr=[0-9]+ created=[0-9]+$"
