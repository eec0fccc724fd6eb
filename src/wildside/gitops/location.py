"""Where a GitOps repository lives: a local path or any Git URL, with an
embedded default (a bare repository under .wildside/) for a first run."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from wildside.core import validation
from wildside.core.errors import BadInput
from wildside.gitops import credentials
from wildside.gitops.git import Git

DEFAULT_BRANCH = "main"
EMBEDDED_DIR = ".wildside"
_URL_PREFIXES = ("https://", "http://", "ssh://", "git://", "file://", "git@")


@dataclass(frozen=True)
class RepoLocation:
    url: str
    branch: str | None  # None: the remote's default branch
    local_bare: Path | None = None

    @property
    def embedded(self) -> bool:
        """The default `.wildside/<name>` repository created on first use."""
        return self.local_bare is not None and self.local_bare.parent.name == EMBEDDED_DIR

    @property
    def display(self) -> str:
        """The repository as shown anywhere: a path, or the URL without credentials."""
        return str(self.local_bare) if self.local_bare else credentials.display(self.url)


def _looks_like_url(value: str) -> bool:
    return value.startswith(_URL_PREFIXES) or ("@" in value and ":" in value)


def ensure_bare_repository(path: Path, branch: str = DEFAULT_BRANCH) -> bool:
    """Create an empty bare repository at `path` unless one is there."""
    if (path / "HEAD").is_file():
        return False
    path.mkdir(parents=True, exist_ok=True)
    Git(None).run("init", "-q", "--bare", "-b", branch, str(path))
    return True


def check_branch(branch: str) -> str:
    """Refuse a branch name Git would refuse, before anything is fetched."""
    return validation.branch(branch)


def resolve(
    repo: str | None,
    branch: str | None,
    *,
    env_variable: str,
    default_dir: str,
    cwd: Path | None = None,
) -> RepoLocation:
    """`repo`, else the environment variable, else the embedded default
    `.wildside/<default_dir>` (created bare when missing)."""
    if branch is not None:
        check_branch(branch)
    chosen = repo or os.environ.get(env_variable) or None
    if chosen is not None and (chosen.startswith("-") or not chosen.strip()):
        raise BadInput(
            f"--repo {credentials.display(chosen)!r} is not a repository: give a path or a Git "
            f"URL that does not start with '-' (write ./{chosen} for a directory of that name; "
            f"or set {env_variable})"
        )
    base = cwd or Path.cwd()
    if chosen is None:
        bare = (base / EMBEDDED_DIR / default_dir).resolve()
        ensure_bare_repository(bare, branch or DEFAULT_BRANCH)
        return RepoLocation(url=bare.as_uri(), branch=branch, local_bare=bare)
    if _looks_like_url(chosen):
        return RepoLocation(url=chosen, branch=branch)
    path = (base / chosen).expanduser().resolve()
    if not path.exists():
        raise BadInput(
            f"--repo {chosen!r} does not exist: give an existing Git repository path or a Git URL "
            f"(or set {env_variable})"
        )
    if (path / ".git").exists():
        raise BadInput(
            f"--repo {chosen!r} is a repository with a working tree; pushes to its checked-out "
            "branch are refused: give a bare repository (git clone --bare) or its URL"
        )
    if not (path / "HEAD").is_file():
        raise BadInput(f"--repo {chosen!r} is not a Git repository: give a bare repository or URL")
    return RepoLocation(url=path.as_uri(), branch=branch, local_bare=path)
