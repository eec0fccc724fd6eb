"""A thin, typed wrapper over the `git` executable.

Credentials never reach argv: an HTTPS token is handed to Git through
GIT_CONFIG_* environment variables as an Authorization header."""

from __future__ import annotations

import base64
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from wildside.core.errors import OperationalError

TOKEN_VARIABLE = "WILDSIDE_GIT_TOKEN"  # noqa: S105 - a variable name, not a secret
_IDENTITY = {
    "GIT_AUTHOR_NAME": "wildside",
    "GIT_AUTHOR_EMAIL": "wildside@users.noreply.github.com",
    "GIT_COMMITTER_NAME": "wildside",
    "GIT_COMMITTER_EMAIL": "wildside@users.noreply.github.com",
}


# Lines that say what went wrong; the rest of git's stderr is advice or progress.
_MEANINGFUL = ("fatal:", "error:", "remote: error:", "remote: fatal:", "!", "[rejected]")
_ADVICE = ("hint:", "warning:", "To ", "Done")
_MAX_DETAIL = 600


def failure_detail(stderr: str) -> str:
    """Git's own account of a failure as one line: every `fatal:`/`error:` (and
    rejected-ref) line in order, else every line that is not advice, e.g.
    "'x' does not appear to be a git repository; Could not read from remote
    repository." rather than the last line alone ("and the repository exists.")."""
    lines = [" ".join(line.split()) for line in stderr.splitlines() if line.strip()]
    meaningful = [line for line in lines if line.startswith(_MEANINGFUL)]
    chosen = meaningful or [line for line in lines if not line.startswith(_ADVICE)] or lines
    parts = [line.removeprefix("fatal: ").removeprefix("error: ") for line in chosen]
    detail = "; ".join(dict.fromkeys(parts)) or "no output"
    return detail if len(detail) <= _MAX_DETAIL else detail[: _MAX_DETAIL - 1] + "…"


@dataclass(frozen=True)
class GitResult:
    returncode: int
    stdout: str
    stderr: str


def git_environment(url: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    env["LC_ALL"] = "C"
    for key, value in _IDENTITY.items():
        env.setdefault(key, value)
    token = os.environ.get(TOKEN_VARIABLE)
    if token and url and url.startswith("https://"):
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        env["GIT_CONFIG_COUNT"] = "1"
        env["GIT_CONFIG_KEY_0"] = "http.extraHeader"
        env["GIT_CONFIG_VALUE_0"] = f"Authorization: basic {basic}"
    return env


class Git:
    """Runs git in one working tree (or with no tree for `clone`/`ls-remote`)."""

    def __init__(self, cwd: Path | None, *, url: str | None = None) -> None:
        self.cwd = cwd
        self._env = git_environment(url)

    def run(self, *args: str, check: bool = True) -> GitResult:
        completed = subprocess.run(
            ["git", *args],
            cwd=self.cwd,
            env=self._env,
            capture_output=True,
            text=True,
            check=False,
        )
        result = GitResult(completed.returncode, completed.stdout, completed.stderr)
        if check and completed.returncode != 0:
            raise OperationalError(f"git {args[0]} failed: {failure_detail(completed.stderr)}")
        return result

    def output(self, *args: str) -> str:
        return self.run(*args).stdout.strip()
