"""Refresh tests/data/schemas from CustomResourceDefinition YAML files.

Usage: python scripts/refresh_schemas.py CRD_DIR [CRD_DIR ...]

Each served version of each CRD found (recursively, *.yaml / *.yml) becomes
`tests/data/schemas/<group>/<kind>_<version>.json`: its openAPIV3Schema, the
layout kubeconform's -schema-location and the public CRDs catalogue use.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

SCHEMAS = Path(__file__).resolve().parents[1] / "tests" / "data" / "schemas"


def crds(directory: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted([*directory.rglob("*.yaml"), *directory.rglob("*.yml")]):
        for document in yaml.safe_load_all(path.read_text()):
            if isinstance(document, dict) and document.get("kind") == "CustomResourceDefinition":
                found.append(document)
    return found


def write_schemas(crd: dict[str, Any]) -> list[Path]:
    spec = crd["spec"]
    group, kind = spec["group"], spec["names"]["kind"]
    written = []
    for version in spec.get("versions", []):
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        if not version.get("served", True) or not schema:
            continue
        target = SCHEMAS / group / f"{kind.lower()}_{version['name']}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write("usage: refresh_schemas.py CRD_DIR [CRD_DIR ...]\n")
        return 2
    count = 0
    for name in argv:
        directory = Path(name)
        if not directory.is_dir():
            sys.stderr.write(f"refresh_schemas: not a directory: {name}\n")
            return 2
        for crd in crds(directory):
            count += len(write_schemas(crd))
    print(f"wrote {count} schemas under {SCHEMAS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
