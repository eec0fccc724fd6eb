"""The preview lifecycle against a GitOps repository: up, down, list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from wildside.contract.identity import EPHEMERAL_DIR, FLUX_FILE, PreviewIdentity, pr_of_directory
from wildside.contract.overlay import EXTERNAL_SECRET_FILE, OverlayExtras
from wildside.core import clock
from wildside.core.errors import OperationalError
from wildside.core.output import SILENT, Progress
from wildside.core.yaml_io import load_one
from wildside.gitops import tree, writer
from wildside.gitops.location import RepoLocation
from wildside.previews import admission, index, records, render
from wildside.previews import repository as apps
from wildside.previews.admission import PullRequestCheck
from wildside.previews.config import AppsConfig
from wildside.previews.model import PreviewOptions, PreviewRecord, PreviewRequest, Tombstone

# The declarative database add-on's file; a preview written before preview.yaml
# existed has a database exactly when its overlay holds it.
DATABASE_FILE = "database.yaml"


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


# A pure function giving an add-on's overlay for a preview: the CLI hands them
# in (previews never import the add-on domains); the record says which apply.
AddOnOverlay = Callable[[PreviewIdentity], OverlayExtras]


@dataclass(frozen=True)
class AddOns:
    secrets: AddOnOverlay | None = None
    database: AddOnOverlay | None = None


@dataclass(frozen=True)
class UpResult:
    record: PreviewRecord | None  # None when skipped and no preview exists
    created: bool
    skipped: str | None = None  # why nothing was written (teardown wins, newer wins)


@dataclass(frozen=True)
class DownResult:
    pr: int
    path: str
    record: PreviewRecord | None
    identity: PreviewIdentity | None  # None when the repository has no wildside.yaml
    tombstone: Tombstone | None = None


def _load(path: Path, worktree: Path) -> dict[str, Any]:
    try:
        document = load_one(path)
    except OperationalError as error:
        raise OperationalError(f"{error}; fix or remove {path.relative_to(worktree)}") from None
    if not isinstance(document, dict):
        raise OperationalError(f"{path.relative_to(worktree)} is not a mapping; remove it")
    return document


def read_record(worktree: Path, pr: int) -> PreviewRecord | None:
    directory = worktree / render.path_of(pr)
    flux_file = directory / FLUX_FILE
    if not flux_file.is_file():
        return None
    record_file = directory / records.RECORD_FILE
    try:
        stored = _load(record_file, worktree) if record_file.is_file() else None
        record = render.parse_record(load_one(flux_file), stored)
    except (KeyError, ValueError, TypeError) as error:
        raise OperationalError(
            f"{flux_file.relative_to(worktree)} lacks preview metadata ({error}); "
            "remove the directory or re-run `wildside preview up` for that PR"
        ) from None
    if stored is None:
        # Written before preview.yaml existed: the files say which add-ons it has.
        options = replace(
            record.options,
            pinned=record.pinned,
            database=(directory / DATABASE_FILE).is_file(),
            secrets=(directory / EXTERNAL_SECRET_FILE).is_file(),
        )
        record = replace(record, options=options)
    return record


def read_tombstone(worktree: Path, pr: int) -> Tombstone | None:
    path = worktree / render.path_of(pr) / records.TOMBSTONE_FILE
    if not path.is_file():
        return None
    try:
        return records.parse_tombstone(_load(path, worktree))
    except (KeyError, ValueError, TypeError) as error:
        raise OperationalError(
            f"{path.relative_to(worktree)} is not a tombstone ({error}); remove it"
        ) from None


def _config(worktree: Path, location: RepoLocation) -> AppsConfig:
    """The repository's settings; the embedded default lays itself out on first use."""
    if location.embedded and apps.read_config(worktree) is None:
        apps.apply_layout(worktree, AppsConfig())
    return apps.require_config(worktree, location)


def _addon_extras(
    identity: PreviewIdentity, options: PreviewOptions, addons: AddOns
) -> list[OverlayExtras]:
    extras = []
    for name, enabled, overlay in (
        ("secrets", options.secrets, addons.secrets),
        ("database", options.database, addons.database),
    ):
        if not enabled:
            continue
        if overlay is None:
            raise OperationalError(
                f"pr-{identity.pr} has {name} but no {name} overlay was given to render it"
            )
        extras.append(overlay(identity))
    return extras


def apply_up(
    worktree: Path,
    location: RepoLocation,
    request: PreviewRequest,
    now: datetime,
    extras: Sequence[OverlayExtras] = (),
    max_previews: int | None = None,
    prepared_for: PreviewIdentity | None = None,
    *,
    addons: AddOns = AddOns(),
    pull_check: PullRequestCheck | None = None,
) -> UpResult:
    """Pure but for the working tree (and `pull_check`, asked on every attempt
    right before the push): `extras` were prepared before the retry loop for
    `prepared_for`, which must still be this preview's identity."""
    config = _config(worktree, location)
    identity = PreviewIdentity(config.app, request.pr)
    if prepared_for is not None and prepared_for != identity:
        raise OperationalError(
            f"the app name in {location.display}'s wildside.yaml changed to {config.app!r} "
            f"while the preview of {prepared_for.app!r} was prepared; run again"
        )
    previous = read_record(worktree, request.pr)
    tombstone = read_tombstone(worktree, request.pr)
    options = render.resolve_options(config, request, previous)
    pull = pull_check(request.pr) if pull_check is not None else None
    reason = admission.refusal(request, previous, tombstone, pull)
    if reason is not None:
        return UpResult(record=previous, created=False, skipped=reason)
    check_cap(worktree, request.pr, max_previews)
    path = render.path_of(request.pr)
    rendered = render.render(
        config,
        request,
        previous,
        tree.read_tree(worktree, path),
        now,
        [*extras, *_addon_extras(identity, options, addons)],
        options=options,
    )
    tree.sync_directory(worktree, path, rendered.files)
    index.update(worktree, add=request.pr)
    return UpResult(record=rendered.record, created=previous is None)


def owned_outside_git(identity: PreviewIdentity, record: PreviewRecord | None) -> tuple[str, ...]:
    """What a preview owns beyond its overlay, as `down` names it."""
    if record is None:
        return ()
    owned = []
    if record.options.secrets or record.options.database:
        owned.append(f"{VAULT_LEFTOVER}{identity.vault_path}")
    if record.options.database:
        owned.append(f"{ROLE_LEFTOVER}{identity.database_role}")
    return tuple(owned)


VAULT_LEFTOVER = "vault:"
ROLE_LEFTOVER = "postgres-role:"


def apply_down(
    worktree: Path, pr: int, now: datetime | None = None, sha: str | None = None
) -> DownResult:
    """Remove the overlay and its index entry and leave a tombstone, so a late
    `up` cannot bring the preview back. A second `down` changes nothing."""
    record = read_record(worktree, pr)
    previous_tombstone = read_tombstone(worktree, pr)
    path = render.path_of(pr)
    config = apps.read_config(worktree)
    identity = PreviewIdentity(config.app, pr) if config else None
    tombstone = previous_tombstone
    if tombstone is None or record is not None:
        owned = owned_outside_git(identity, record) if identity else ()
        earlier = previous_tombstone.left_behind if previous_tombstone else ()
        tombstone = Tombstone(
            pr=pr,
            closed_at=now or clock.utc_now(),
            sha=sha or (record.sha if record else None),
            left_behind=tuple(dict.fromkeys((*earlier, *owned))),
        )
    tree.sync_directory(worktree, path, {records.TOMBSTONE_FILE: records.tombstone_text(tombstone)})
    index.update(worktree, remove=pr)
    return DownResult(pr=pr, path=path, record=record, identity=identity, tombstone=tombstone)


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


def inspect_up(
    location: RepoLocation, request: PreviewRequest, max_previews: int | None = None
) -> tuple[PreviewIdentity, str | None]:
    """`inspect` for an `up` that prepares add-ons: also checks the request
    against wildside.yaml (components, placeholders) and says whether the tip
    would refuse it (teardown wins, newer wins), so a refused `up` seeds no
    Vault path and makes no password. The loop decides again on its own tip."""

    def look(worktree: Path) -> tuple[PreviewIdentity, str | None]:
        config = (
            AppsConfig()
            if location.embedded and apps.read_config(worktree) is None
            else apps.require_config(worktree, location)
        )
        previous = read_record(worktree, request.pr)
        render.resolve_options(config, request, previous)
        refusal = admission.refusal(request, previous, read_tombstone(worktree, request.pr), None)
        if refusal is None:
            check_cap(worktree, request.pr, max_previews)
        return PreviewIdentity(config.app, request.pr), refusal

    value, _tip = writer.read(location, look)
    return value


def up(
    location: RepoLocation,
    request: PreviewRequest,
    now: datetime,
    *,
    extras: Sequence[OverlayExtras] = (),
    prepared_for: PreviewIdentity | None = None,
    progress: Progress = SILENT,
    max_previews: int | None = None,
    addons: AddOns = AddOns(),
    pull_check: PullRequestCheck | None = None,
) -> writer.CommitOutcome[UpResult]:
    def message(result: UpResult) -> str:
        verb = "create" if result.created else "update"
        url = result.record.url if result.record else ""
        return (
            f"preview: {verb} pr-{request.pr} at {request.sha[:12]}\n\n"
            f"Preview of pull request #{request.pr} served at {url}."
        )

    return writer.commit_change(
        location,
        lambda worktree: apply_up(
            worktree,
            location,
            request,
            now,
            extras,
            max_previews,
            prepared_for,
            addons=addons,
            pull_check=pull_check,
        ),
        message,
        sparse=[render.path_of(request.pr)],
        progress=progress,
    )


def down(
    location: RepoLocation,
    pr: int,
    *,
    now: datetime | None = None,
    sha: str | None = None,
    progress: Progress = SILENT,
) -> writer.CommitOutcome[DownResult]:
    moment = now or clock.utc_now()
    return writer.commit_change(
        location,
        lambda worktree: apply_down(worktree, pr, moment, sha),
        lambda result: (
            f"preview: remove pr-{pr}\n\n"
            f"Pull request #{pr} closed; Flux prunes everything the preview created. "
            "A tombstone keeps a late deploy from bringing it back."
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


def list_tombstones(worktree: Path) -> list[Tombstone]:
    """Tombstones in a full checkout: `pr-<N>/tombstone.yaml` beside no preview."""
    base = worktree / EPHEMERAL_DIR
    found = []
    for directory in sorted(base.iterdir()) if base.is_dir() else []:
        number = pr_of_directory(directory.name)
        if number is not None and (directory / records.TOMBSTONE_FILE).is_file():
            tombstone = read_tombstone(worktree, number)
            if tombstone is not None:
                found.append(tombstone)
    return found


@dataclass(frozen=True)
class RepositoryState:
    app: str | None
    records: list[PreviewRecord]
    tombstones: list[Tombstone]


def state_of(worktree: Path) -> RepositoryState:
    config = apps.read_config(worktree)
    return RepositoryState(
        config.app if config else None, list_records(worktree), list_tombstones(worktree)
    )


def read_state(location: RepoLocation) -> RepositoryState:
    state, _tip = writer.read(location, state_of)
    return state
