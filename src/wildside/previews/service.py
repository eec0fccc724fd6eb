"""The preview lifecycle against a GitOps repository: up, down, list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from wildside.contract.identity import FLUX_FILE, PreviewIdentity
from wildside.contract.overlay import OverlayExtras
from wildside.core.errors import OperationalError
from wildside.core.output import SILENT, Progress
from wildside.core.yaml_io import load_one
from wildside.gitops import tree, writer
from wildside.gitops.location import RepoLocation
from wildside.previews import index, render
from wildside.previews import repository as apps
from wildside.previews.config import AppsConfig
from wildside.previews.model import PreviewRecord, PreviewRequest


class PreviewCapReached(OperationalError):
    """`preview up --max-previews N` refused a new preview (exit 1). The
    message starts with CAP_MESSAGE so workflows can tell it from a failure."""


CAP_MESSAGE = "preview cap reached"


def check_cap(worktree: Path, pr: int, max_previews: int | None) -> None:
    """A new preview may not push the count past the cap; an existing one may update."""
    if max_previews is None:
        return
    numbers = index.preview_numbers(worktree)
    if pr not in numbers and len(numbers) >= max_previews:
        raise PreviewCapReached(
            f"{CAP_MESSAGE}: {len(numbers)} previews exist (--max-previews {max_previews}) "
            f"and pr-{pr} has none; remove a preview or raise the cap"
        )


@dataclass(frozen=True)
class UpResult:
    record: PreviewRecord
    created: bool


@dataclass(frozen=True)
class DownResult:
    pr: int
    path: str
    record: PreviewRecord | None
    identity: PreviewIdentity | None  # None when the repository has no wildside.yaml


def read_record(worktree: Path, pr: int) -> PreviewRecord | None:
    flux_file = worktree / render.path_of(pr) / FLUX_FILE
    if not flux_file.is_file():
        return None
    try:
        return render.parse_record(load_one(flux_file))
    except (KeyError, ValueError, TypeError) as error:
        raise OperationalError(
            f"{flux_file.relative_to(worktree)} lacks preview metadata ({error}); "
            "remove the directory or re-run `wildside preview up` for that PR"
        ) from None


def _config(worktree: Path, location: RepoLocation) -> AppsConfig:
    """The repository's settings; the embedded default lays itself out on first use."""
    if location.embedded and apps.read_config(worktree) is None:
        apps.apply_layout(worktree, AppsConfig())
    return apps.require_config(worktree, location)


def apply_up(
    worktree: Path,
    location: RepoLocation,
    request: PreviewRequest,
    now: datetime,
    extras: Sequence[OverlayExtras] = (),
    max_previews: int | None = None,
    prepared_for: PreviewIdentity | None = None,
) -> UpResult:
    """Pure but for the working tree: `extras` were prepared before the retry
    loop for `prepared_for`, which must still be this preview's identity."""
    config = _config(worktree, location)
    if prepared_for is not None and prepared_for != PreviewIdentity(config.app, request.pr):
        raise OperationalError(
            f"the app name in {location.display}'s wildside.yaml changed to {config.app!r} "
            f"while the preview of {prepared_for.app!r} was prepared; run again"
        )
    check_cap(worktree, request.pr, max_previews)
    previous = read_record(worktree, request.pr)
    path = render.path_of(request.pr)
    rendered = render.render(
        config,
        request,
        previous,
        tree.read_tree(worktree, path),
        now,
        list(extras),
    )
    tree.sync_directory(worktree, path, rendered.files)
    index.update(worktree, add=request.pr)
    return UpResult(record=rendered.record, created=previous is None)


def apply_down(worktree: Path, pr: int) -> DownResult:
    record = read_record(worktree, pr)
    path = render.path_of(pr)
    tree.remove_directory(worktree, path)
    index.update(worktree, remove=pr)
    config = apps.read_config(worktree)
    identity = PreviewIdentity(config.app, pr) if config else None
    return DownResult(pr=pr, path=path, record=record, identity=identity)


def inspect(location: RepoLocation, pr: int, max_previews: int | None = None) -> PreviewIdentity:
    """Before any add-on prepares anything: the preview's identity (the app
    name comes from the repository's wildside.yaml), and the cap check, so a
    refused preview leaves nothing behind in Vault or PostgreSQL."""

    def look(worktree: Path) -> PreviewIdentity:
        config = (
            AppsConfig()
            if location.embedded and apps.read_config(worktree) is None
            else apps.require_config(worktree, location)
        )
        check_cap(worktree, pr, max_previews)
        return PreviewIdentity(config.app, pr)

    identity, _tip = writer.read(location, look)
    return identity


def up(
    location: RepoLocation,
    request: PreviewRequest,
    now: datetime,
    *,
    extras: Sequence[OverlayExtras] = (),
    prepared_for: PreviewIdentity | None = None,
    progress: Progress = SILENT,
    max_previews: int | None = None,
) -> writer.CommitOutcome[UpResult]:
    def message(result: UpResult) -> str:
        verb = "create" if result.created else "update"
        return (
            f"preview: {verb} pr-{request.pr} at {request.sha[:12]}\n\n"
            f"Preview of pull request #{request.pr} served at {result.record.url}."
        )

    return writer.commit_change(
        location,
        lambda worktree: apply_up(
            worktree, location, request, now, extras, max_previews, prepared_for
        ),
        message,
        sparse=[render.path_of(request.pr)],
        progress=progress,
    )


def down(
    location: RepoLocation, pr: int, *, progress: Progress = SILENT
) -> writer.CommitOutcome[DownResult]:
    return writer.commit_change(
        location,
        lambda worktree: apply_down(worktree, pr),
        lambda result: (
            f"preview: remove pr-{pr}\n\n"
            f"Pull request #{pr} closed; Flux prunes everything the preview created."
        ),
        sparse=[render.path_of(pr)],
        progress=progress,
    )


def list_records(worktree: Path) -> list[PreviewRecord]:
    records = []
    for number in index.preview_numbers(worktree):
        record = read_record(worktree, number)
        if record is not None:
            records.append(record)
    return records


def list_previews(location: RepoLocation) -> tuple[list[PreviewRecord], str | None]:
    return writer.read(location, list_records)
