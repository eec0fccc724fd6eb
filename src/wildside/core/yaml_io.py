"""YAML reading and writing through PyYAML's libyaml bindings, never by
string concatenation. (The C loader matters: the ephemeral index of a busy
apps repository lists thousands of entries and is parsed on every write.)"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from wildside.core.errors import OperationalError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_documents(documents: Iterable[Any]) -> str:
    """Serialise documents as one YAML stream, `---` between documents."""
    text: str = yaml.dump_all(
        list(documents),
        Dumper=_DUMPER,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=4096,
    )
    return text


def dump(document: Any) -> str:
    return dump_documents([document])


def load_documents(text: str, *, source: str = "<text>") -> list[Any]:
    try:
        return [doc for doc in yaml.load_all(text, Loader=_LOADER) if doc is not None]
    except yaml.YAMLError as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise OperationalError(f"{source} is not valid YAML: {first}") from None


def load_file(path: Path) -> list[Any]:
    return load_documents(path.read_text(encoding="utf-8"), source=str(path))


def load_one(path: Path) -> Any:
    documents = load_file(path)
    if len(documents) != 1:
        raise OperationalError(f"{path} holds {len(documents)} YAML documents; expected one")
    return documents[0]
