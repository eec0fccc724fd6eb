"""A thin, typed wrapper over the `git` executable.

Credentials never reach argv or `.git/config`: they are handed to Git through
GIT_CONFIG_* environment variables as an Authorization header scoped to the
repository URL (see credentials.py), and scrubbed from every error message."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from wildside.core.errors import OperationalError
from wildside.gitops.credentials import TOKEN_VARIABLE, Credentials, for_url, redact

__all__ = ["TOKEN_VARIABLE", "Git", "GitResult", "failure_detail", "git_environment"]
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
_REDIRECTED = re.compile(r"returned error: 30[12378]\b")


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
    if _REDIRECTED.search(detail):
        detail += (
            " (the repository answered with a redirect, which is not followed while "
            "credentials are in use: give its new URL)"
        )
    return detail if len(detail) <= _MAX_DETAIL else detail[: _MAX_DETAIL - 1] + "…"


@dataclass(frozen=True)
class GitResult:
    returncode: int
    stdout: str
    stderr: str


def git_environment(credentials: Credentials | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    env["LC_ALL"] = "C"
    for key, value in _IDENTITY.items():
        env.setdefault(key, value)
    if credentials is not None and credentials.header is not None:
        count = env.get("GIT_CONFIG_COUNT", "0")
        index = int(count) if count.isdigit() else 0
        env["GIT_CONFIG_COUNT"] = str(index + 2)
        # http.<url>.extraHeader: sent to the apps repository only, never to a
        # submodule or other host ...
        env[f"GIT_CONFIG_KEY_{index}"] = f"http.{credentials.url}.extraHeader"
        env[f"GIT_CONFIG_VALUE_{index}"] = credentials.header
        # ... nor to where it redirects: Git matched the header to the URL it was
        # given and would send it with every request after a redirect to another host
        env[f"GIT_CONFIG_KEY_{index + 1}"] = "http.followRedirects"
        env[f"GIT_CONFIG_VALUE_{index + 1}"] = "false"
    return env


class Git:
    """Runs git in one repository (or with no repository for `init`/`ls-remote`).
    `hold` are file descriptors every git child inherits: the checkout's lock
    stays held until the last git process of a killed run has exited."""

    def __init__(
        self, cwd: Path | None, *, url: str | None = None, hold: Sequence[int] = ()
    ) -> None:
        self.cwd = cwd
        self.credentials = for_url(url) if url is not None else None
        self._env = git_environment(self.credentials)
        self.hold = tuple(hold)

    @property
    def env(self) -> dict[str, str]:
        return self._env

    def scrub(self, text: str) -> str:
        return redact(text, self.credentials.secrets if self.credentials else ())

    def run(self, *args: str, check: bool = True) -> GitResult:
        completed = subprocess.run(
            ["git", *args],
            cwd=self.cwd,
            env=self._env,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            pass_fds=self.hold,
        )
        result = GitResult(completed.returncode, completed.stdout, completed.stderr)
        if check and completed.returncode != 0:
            detail = self.scrub(failure_detail(completed.stderr))
            raise OperationalError(f"git {args[0]} failed: {detail}")
        return result

    def output(self, *args: str) -> str:
        return self.run(*args).stdout.strip()
