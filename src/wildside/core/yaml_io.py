"""YAML reading and writing through ruamel.yaml, never by string concatenation."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from wildside.core.errors import OperationalError


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.width = 4096
    yaml.allow_unicode = True
    return yaml


def dump_documents(documents: Iterable[Any]) -> str:
    """Serialise documents as one YAML stream, `---` between documents."""
    stream = io.StringIO()
    _yaml().dump_all(list(documents), stream)
    return stream.getvalue()


def dump(document: Any) -> str:
    return dump_documents([document])


def load_documents(text: str, *, source: str = "<text>") -> list[Any]:
    try:
        return [doc for doc in _yaml().load_all(text) if doc is not None]
    except Exception as error:
        raise OperationalError(f"{source} is not valid YAML: {error}".splitlines()[0]) from None


def load_file(path: Path) -> list[Any]:
    return load_documents(path.read_text(encoding="utf-8"), source=str(path))


def load_one(path: Path) -> Any:
    documents = load_file(path)
    if len(documents) != 1:
        raise OperationalError(f"{path} holds {len(documents)} YAML documents; expected one")
    return documents[0]
