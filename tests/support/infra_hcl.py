"""Shared helpers for the static checks of the OpenTofu code under infra/.

`tofu` and its providers cannot be installed where these tests run, so the checks parse
the HCL with python-hcl2 and assert structure instead of running `tofu validate` (the
GitHub workflow .github/workflows/infra.yml does that on GitHub-hosted runners).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
MODULES_DIR = INFRA / "modules"
CONTRACT_FILE = INFRA / "renderer-contract.json"

MODULE_NAMES = (
    "doks",
    "fluxcd",
    "vault_appliance",
    "traefik",
    "external_dns",
    "cert_manager",
    "vault_eso",
    "cnpg",
    "redis",
)
CLUSTER_ROOT = INFRA / "clusters"
ROOTS = (CLUSTER_ROOT, INFRA / "vault")

# Module block arguments that are not input variables.
# Meta-arguments, plus the keys python-hcl2 adds for block markers and comments.
MODULE_META_ARGUMENTS = frozenset(
    {
        "source",
        "version",
        "count",
        "for_each",
        "providers",
        "depends_on",
        "__is_block__",
        "__comments__",
        "__inline_comments__",
    }
)


def unquote(value: Any) -> Any:
    """python-hcl2 keeps string literals quoted ('"x"'); strip one level of quotes."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def is_ignored(path: Path) -> bool:
    return any(part.startswith(".terraform") for part in path.parts)


def tf_files() -> list[Path]:
    return sorted(p for p in INFRA.rglob("*.tf") if not is_ignored(p))


def tf_dirs() -> list[Path]:
    """Every directory that holds OpenTofu code: modules, examples and roots."""
    return sorted({p.parent for p in tf_files()})


def rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


@functools.cache
def parse_file(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle)


@dataclass
class TfDir:
    """The merged top-level blocks of all .tf files in one directory."""

    path: Path
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    terraform: list[dict[str, Any]] = field(default_factory=list)
    locals: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    documents: list[dict[str, Any]] = field(default_factory=list)

    def resource(self, rtype: str, name: str) -> dict[str, Any]:
        return self.resources[f"{rtype}.{name}"]

    def required_variables(self) -> set[str]:
        return {name for name, body in self.variables.items() if "default" not in body}

    def required_providers(self) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for block in self.terraform:
            for providers in block.get("required_providers", []):
                for name, spec in providers.items():
                    if name == "__is_block__":
                        continue
                    found[name] = {k: unquote(v) for k, v in spec.items()}
        return found

    def required_versions(self) -> list[str]:
        return [unquote(b["required_version"]) for b in self.terraform if "required_version" in b]


def _labelled(blocks: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for block in blocks:
        for label, body in block.items():
            yield unquote(label), body


@functools.cache
def load_dir(path: Path) -> TfDir:
    result = TfDir(path=path)
    for file in sorted(path.glob("*.tf")):
        doc = parse_file(file)
        result.documents.append(doc)
        for name, body in _labelled(doc.get("variable", [])):
            result.variables[name] = body
        for name, body in _labelled(doc.get("output", [])):
            result.outputs[name] = body
        for name, body in _labelled(doc.get("module", [])):
            result.modules[name] = body
        for block in doc.get("locals", []):
            result.locals.update({k: v for k, v in block.items() if k != "__is_block__"})
        for rtype, named in _labelled(doc.get("resource", [])):
            for name, body in named.items():
                result.resources[f"{rtype}.{unquote(name)}"] = body
        result.terraform.extend(doc.get("terraform", []))
    return result


def references(value: Any, kind: str) -> set[str]:
    """Names referenced as `<kind>.NAME` anywhere in a parsed (comment-free) structure."""
    text = json.dumps(value)
    return set(re.findall(rf"(?<![\w.]){kind}\.([A-Za-z_][A-Za-z0-9_-]*)", text))


@functools.cache
def contract() -> dict[str, Any]:
    return json.loads(CONTRACT_FILE.read_text(encoding="utf-8"))
