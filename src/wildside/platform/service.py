"""The I/O side of `wildside platform render`: read cluster configuration
files, render every selected cluster (pure), then make a directory or a Git
working tree hold exactly the result. Nothing is written before every
cluster rendered without error."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from wildside.core import validation
from wildside.core.errors import BadInput, OperationalError, WildsideError
from wildside.core.output import SILENT, Progress
from wildside.core.validation import dns_label
from wildside.core.yaml_io import load_documents
from wildside.gitops import tree, writer
from wildside.gitops.location import RepoLocation
from wildside.platform import modules, render, stamp, tofu
from wildside.platform.config import ClusterConfig, repository_key
from wildside.platform.layers import Layer

ENV_VARIABLE = "WILDSIDE_INFRA_REPO"
DEFAULT_DIR = "infra.git"
CONFIG_SUFFIXES = (".yaml", ".yml", ".toml")
_UNIT_REF = "../../../" + render.PLATFORM_DIR + "/"


class HandEdited(OperationalError):
    """A generated file was edited by hand; the render wrote nothing."""


@dataclass(frozen=True)
class RenderResult:
    clusters: list[str]
    changed: list[str]  # repository paths written or removed


def _read_raw(path: Path) -> dict[str, Any]:
    try:
        if path.suffix == ".toml":
            loaded: Any = tomllib.loads(path.read_text(encoding="utf-8"))
        else:
            documents = load_documents(path.read_text(encoding="utf-8"), source=str(path))
            loaded = documents[0] if len(documents) == 1 else None
    except (WildsideError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise BadInput(f"{path} is not a valid configuration file: {first}") from None
    if not isinstance(loaded, dict):
        raise BadInput(f"{path} must hold one mapping (a cluster configuration)")
    return loaded


def config_files(config_dir: Path) -> dict[str, Path]:
    if not config_dir.is_dir():
        raise BadInput(
            f"--config-dir {str(config_dir)!r} is not a directory: give the folder holding "
            "one <cluster>.yaml (or .toml) per cluster"
        )
    found: dict[str, Path] = {}
    for path in sorted(config_dir.iterdir()):
        if path.is_file() and path.suffix in CONFIG_SUFFIXES:
            if path.stem in found:
                raise BadInput(f"cluster {path.stem!r} is configured twice in {config_dir}")
            found[path.stem] = path
    return found


def load_cluster(path: Path, outputs: dict[str, Any] | None, source: str | None) -> ClusterConfig:
    raw = _read_raw(path)
    raw.setdefault("name", path.stem)
    if raw["name"] != path.stem:
        raise BadInput(
            f"{path}: name {raw['name']!r} differs from the file name: rename the file "
            f"to {raw['name']}{path.suffix} or fix the name"
        )
    if outputs:
        raw = tofu.apply(raw, outputs, source=source or "tofu outputs")
    try:
        cluster = ClusterConfig.model_validate(raw)
    except ValidationError as error:
        raise validation.config_error(str(path), error) from None
    try:  # each component's settings and needs, while the file can still be named
        render.enabled_components(cluster)
    except BadInput as error:
        message = str(error).removeprefix(f"cluster {cluster.name}: ")
        raise BadInput(f"{path}: {message}") from None
    return cluster


def load_clusters(
    config_dir: Path,
    cluster_names: list[str],
    *,
    every: bool,
    tofu_files: list[Path],
) -> list[ClusterConfig]:
    files = config_files(config_dir)
    if every == bool(cluster_names):
        raise BadInput("name the clusters to render with --cluster NAME, or give --all")
    for name in cluster_names:
        dns_label(name, option="--cluster")
        if name not in files:
            raise BadInput(
                f"--cluster {name!r} has no configuration in {config_dir}: "
                f"create {name}.yaml there (known: {', '.join(files) or 'none'})"
            )
    selected = sorted(files) if every else sorted(set(cluster_names))
    if not selected:
        raise BadInput(f"{config_dir} holds no cluster configuration (<cluster>.yaml or .toml)")
    check_placement(files)
    outputs_by_cluster: dict[str, tuple[dict[str, Any], str]] = {}
    for path in tofu_files:
        outputs = tofu.load(path)
        target = outputs.get("cluster_name")
        if target is None:
            if len(selected) != 1:
                raise BadInput(
                    f"--tofu-outputs {str(path)!r} names no cluster_name: "
                    "render one cluster with --cluster NAME"
                )
            target = selected[0]
        if target not in selected:
            raise BadInput(
                f"--tofu-outputs {str(path)!r} is for cluster {target!r}, which is not rendered"
            )
        if target in outputs_by_cluster:
            raise BadInput(f"two --tofu-outputs files are for cluster {target!r}")
        outputs_by_cluster[target] = (outputs, f"--tofu-outputs {path}")
    clusters = []
    for name in selected:
        given = outputs_by_cluster.get(name)
        clusters.append(
            load_cluster(files[name], given[0] if given else None, given[1] if given else None)
        )
    return clusters


def check_placement(files: dict[str, Path]) -> None:
    """Exactly one cluster hosts the previews of an apps repository branch:
    two would each run every preview (and its database) under a wildcard
    that matches only one preview domain. Checked across every configuration
    in the folder, rendered now or not."""
    hosts: dict[tuple[str, str], Path] = {}
    for path in files.values():
        raw = _read_raw(path)
        apps = raw.get("apps")
        if raw.get("hosts_previews", True) is False or not isinstance(apps, dict):
            continue
        url = repository_key(str(apps.get("url", "")))
        branch = str(apps.get("branch", "main"))
        first = hosts.setdefault((url, branch), path)
        if first != path:
            raise BadInput(
                f"{first.name} and {path.name} both host the previews of {apps.get('url')} "
                f"(branch {branch}): set hosts_previews: false on all clusters but one, "
                "or give each its own apps.branch"
            )


def check_apps_config(path: Path, clusters: list[ClusterConfig]) -> None:
    """The apps repository's wildside.yaml agrees with the clusters: its
    preview domain is the wildcard of the cluster that hosts previews, and
    its production and staging hosts are the ones those clusters serve."""
    if not path.is_file():
        raise BadInput(
            f"--apps-config {str(path)!r} is not a file: give the wildside.yaml at the root "
            "of the apps repository"
        )
    raw = _read_raw(path)
    for cluster in clusters:
        expected: list[tuple[str, str]] = []
        if cluster.hosts_previews:
            expected.append(("preview_domain", cluster.preview_domain))
        expected += [(f"{env}_host", host) for env, host in cluster.apps.hosts.items()]
        for key, value in expected:
            given = raw.get(key)
            if given != value:
                raise BadInput(
                    f"--apps-config {path}: {key} is {given!r} but cluster {cluster.name} "
                    f"serves {value!r} (its certificate and DNS record cover only that): "
                    f"set {key}: {value} in wildside.yaml, or change the cluster configuration"
                )


def referenced_units(files: dict[str, str]) -> set[str]:
    """`<component>/<unit>` folders any cluster of the tree `files` lists."""
    found: set[str] = set()
    layers = {layer.directory for layer in Layer}
    for path, text in files.items():
        parts = PurePosixPath(path).parts
        if len(parts) != 4 or parts[0] != render.CLUSTERS_DIR or parts[2] not in layers:
            continue
        if parts[3] != "kustomization.yaml":
            continue
        documents = load_documents(text, source=path)
        for entry in (documents[0] if documents else {}).get("resources", []) or []:
            if str(entry).startswith(_UNIT_REF):
                found.add(str(entry).removeprefix(_UNIT_REF))
    return found


def _snapshot(root: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    for top in (render.CLUSTERS_DIR, render.PLATFORM_DIR, modules.MODULES_DIR):
        files.update({f"{top}/{p}": t for p, t in tree.read_tree(root, top).items()})
    return files


def _stamped(prefix: str, files: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}/{path}": stamp.stamp(path, text) for path, text in files.items()}


def plan(before: dict[str, str], rendered: list[render.RenderedCluster]) -> dict[str, str]:
    """The managed part of the tree (clusters/, platform/, modules/) after
    rendering: the rendered clusters replaced (their flux-system/ kept), other
    clusters untouched, and exactly the platform units some cluster lists."""
    units: dict[str, dict[str, str]] = {}
    for cluster in rendered:
        for path, files in cluster.units.items():
            if units.setdefault(path, files) != files:
                raise OperationalError(f"platform/{path} renders differently for two clusters")
    after = dict(before)
    for cluster in rendered:
        directory = f"{render.CLUSTERS_DIR}/{cluster.name}"
        bootstrap = f"{directory}/{render.FLUX_SYSTEM_DIR}/"
        after = {p: t for p, t in after.items() if not p.startswith(directory + "/")}
        after.update({p: t for p, t in before.items() if p.startswith(bootstrap)})
        files = dict(cluster.files)
        files["kustomization.yaml"] = render.root_kustomization(
            cluster, flux_system=f"{bootstrap}kustomization.yaml" in before
        )
        after.update(_stamped(directory, files))
    wanted = referenced_units(after)
    platform = render.PLATFORM_DIR + "/"
    old_platform = {p: t for p, t in after.items() if p.startswith(platform)}
    after = {p: t for p, t in after.items() if not p.startswith(platform)}
    for unit in sorted(wanted):
        if unit in units:
            after.update(_stamped(f"{render.PLATFORM_DIR}/{unit}", units[unit]))
        else:  # listed by a cluster not rendered now: left as it is
            after.update(
                {p: t for p, t in old_platform.items() if p.startswith(f"{platform}{unit}/")}
            )
    after.update(_stamped(modules.MODULES_DIR, modules.tree()))
    return after


def hand_edited(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Generated files the render would overwrite or remove that were edited since."""
    return sorted(p for p, t in before.items() if after.get(p) != t and stamp.edited(t))


def apply(
    root: Path, rendered: list[render.RenderedCluster], *, force: bool = False
) -> RenderResult:
    """Make `root` hold the rendered clusters and exactly the platform units
    that the clusters in it (rendered now or before) reference. A generated
    file edited by hand is overwritten only with `force`; otherwise nothing
    is written."""
    before = _snapshot(root)
    after = plan(before, rendered)
    edited = hand_edited(before, after)
    if edited and not force:
        more = f" (and {len(edited) - 1} more)" if len(edited) > 1 else ""
        raise HandEdited(
            f"{edited[0]}{more} was edited by hand after `wildside platform render` wrote it: "
            "put the change into the cluster configuration, or re-run with --force to overwrite"
        )
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    for path in changed:
        if path in after:
            tree.write_file(root, path, after[path])
        else:
            tree.safe_path(root, path).unlink()
    for top in (render.CLUSTERS_DIR, render.PLATFORM_DIR, modules.MODULES_DIR):
        _remove_empty_directories(root / top)
    return RenderResult(clusters=[c.name for c in rendered], changed=changed)


def _remove_empty_directories(top: Path) -> None:
    if not top.is_dir():
        return
    for path in sorted(top.rglob("*"), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def render_all(clusters: list[ClusterConfig]) -> list[render.RenderedCluster]:
    return [render.render_cluster(cluster) for cluster in clusters]


def write_directory(
    output: Path, rendered: list[render.RenderedCluster], *, force: bool = False
) -> RenderResult:
    if output.exists() and not output.is_dir():
        raise BadInput(f"--output {str(output)!r} is a file: give a directory")
    output.mkdir(parents=True, exist_ok=True)
    return apply(output, rendered, force=force)


def commit(
    location: RepoLocation,
    rendered: list[render.RenderedCluster],
    *,
    force: bool = False,
    progress: Progress = SILENT,
) -> writer.CommitOutcome[RenderResult]:
    names_ = ", ".join(c.name for c in rendered)
    return writer.commit_change(
        location,
        lambda worktree: apply(worktree, rendered, force=force),
        lambda result: (
            f"platform: render {names_} ({len(result.changed)} files)\n\n"
            "Written by `wildside platform render`; Flux converges each cluster from "
            "clusters/<cluster>/ through the sources, controllers, configs, apps and "
            "previews layers."
        ),
        progress=progress,
    )
