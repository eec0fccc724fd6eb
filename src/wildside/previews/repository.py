"""`wildside apps init`: lay out (or converge) a wildside-apps repository."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from wildside.core import validation
from wildside.core.errors import BadInput, WildsideError
from wildside.core.output import SILENT, Progress
from wildside.core.yaml_io import load_one
from wildside.gitops import location as locations
from wildside.gitops import tree, writer
from wildside.gitops.git import Git
from wildside.gitops.location import RepoLocation
from wildside.previews import layout
from wildside.previews.config import CONFIG_FILE, AppsConfig

ENV_VARIABLE = "WILDSIDE_APPS_REPO"
DEFAULT_DIR = "apps.git"


def location(repo: str | None, branch: str | None) -> RepoLocation:
    """The apps repository: --repo, $WILDSIDE_APPS_REPO, or the embedded default."""
    return locations.resolve(repo, branch, env_variable=ENV_VARIABLE, default_dir=DEFAULT_DIR)


@dataclass(frozen=True)
class InitResult:
    files: list[str]


def read_config(worktree: Path) -> AppsConfig | None:
    path = worktree / CONFIG_FILE
    if not path.is_file():
        return None
    source = f"{CONFIG_FILE} in the apps repository"
    try:
        return AppsConfig.model_validate(load_one(path))
    except ValidationError as error:
        raise validation.config_error(source, error) from None
    except (WildsideError, UnicodeDecodeError) as error:  # not YAML, or not one document
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        named = detail.replace(str(path), source)
        raise BadInput(named if named != detail else f"{source}: {detail}") from None


def require_config(worktree: Path, location: RepoLocation) -> AppsConfig:
    config = read_config(worktree)
    if config is None:
        raise BadInput(
            f"{location.display} is not a wildside-apps repository (no {CONFIG_FILE}): "
            f"run `wildside apps init --repo {location.display}` first"
        )
    return config


def apply_layout(worktree: Path, config: AppsConfig) -> InitResult:
    changed: list[str] = []
    for relative, text in sorted(layout.managed_tree(config).items()):
        if tree.write_file(worktree, relative, text):
            changed.append(relative)
    if not (worktree / layout.EPHEMERAL_INDEX).is_file():
        tree.write_file(worktree, layout.EPHEMERAL_INDEX, layout.ephemeral_index([]))
        changed.append(layout.EPHEMERAL_INDEX)
    return InitResult(files=changed)


def point_head_at(location: RepoLocation, branch: str) -> bool:
    """On a local bare repository whose HEAD names a branch that does not exist
    (a fresh `git init --bare` says master), point HEAD at the branch we pushed
    so clones get a checkout. A HEAD naming an existing branch is left alone."""
    if location.local_bare is None:
        return False
    git = Git(None)
    bare = str(location.local_bare)
    head = git.run("--git-dir", bare, "symbolic-ref", "-q", "HEAD", check=False)
    target = head.stdout.strip()
    if head.returncode == 0 and target == f"refs/heads/{branch}":
        return False
    if head.returncode == 0 and target:
        exists = git.run("--git-dir", bare, "rev-parse", "-q", "--verify", target, check=False)
        if exists.returncode == 0:
            return False
    git.run("--git-dir", bare, "symbolic-ref", "HEAD", f"refs/heads/{branch}")
    return True


def init(
    location: RepoLocation, config: AppsConfig, *, progress: Progress = SILENT
) -> writer.CommitOutcome[InitResult]:
    outcome = writer.commit_change(
        location,
        lambda worktree: apply_layout(worktree, config),
        lambda result: (
            f"apps: lay out {config.app} ({len(result.files)} files)\n\n"
            "Written by `wildside apps init` so Flux has a base release and overlays to reconcile."
        ),
        progress=progress,
    )
    point_head_at(location, outcome.branch)
    return outcome
