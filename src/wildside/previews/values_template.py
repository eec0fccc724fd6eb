"""The chart values a preview (or a long-lived environment) gets, from the
values template in `wildside.yaml`: YAML holding `<< name >>` placeholders, the
convention of Flux Operator's ResourceSet (Argo CD's ApplicationSet does the
same with `{{ }}`). Placeholders are substituted into the parsed YAML, never
into text: a scalar that is exactly one placeholder becomes the value itself
(a number, a map, a list), one inside a longer string is interpolated there.
An unknown placeholder is refused when the configuration is read."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

PLACEHOLDER = re.compile(r"<<\s*([A-Za-z][A-Za-z0-9_.-]*)\s*>>")
FIXED = (
    "app",
    "namespace",
    "host",
    "url",
    "pr",
    "preview",
    "sha",
    "secrets.name",
    "database.name",
    "scheduling.nodeSelector",
    "scheduling.tolerations",
)
IMAGE_FIELDS = ("repository", "tag", "reference")


def known_names(components: list[str]) -> list[str]:
    names = list(FIXED)
    for component in sorted(components):
        names.extend(f"images.{component}.{part}" for part in IMAGE_FIELDS)
    return names


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def placeholders(template: Any) -> set[str]:
    return {m.group(1) for text in _strings(template) for m in PLACEHOLDER.finditer(text)}


def unknown(template: Any, components: list[str]) -> list[str]:
    return sorted(placeholders(template) - set(known_names(components)))


def default_template(components: list[str]) -> dict[str, Any]:
    """The contract of charts/wildside (charts/wildside/CONTRACT.md)."""
    template: dict[str, Any] = {
        component: {
            "image": {
                "repository": f"<< images.{component}.repository >>",
                "tag": f"<< images.{component}.tag >>",
            }
        }
        for component in sorted(components)
    }
    template["ingress"] = {"enabled": True, "className": "traefik", "host": "<< host >>"}
    template["preview"] = {"enabled": "<< preview >>", "pr": "<< pr >>"}
    template["secrets"] = {"existingSecret": "<< secrets.name >>"}
    template["database"] = {"existingSecret": "<< database.name >>"}
    template["scheduling"] = {
        "nodeSelector": "<< scheduling.nodeSelector >>",
        "tolerations": "<< scheduling.tolerations >>",
    }
    return template


@dataclass(frozen=True)
class Context:
    """What the placeholders stand for in one preview or environment."""

    app: str
    namespace: str
    host: str
    tag: str
    images: dict[str, str]
    pr: int = 0
    preview: bool = False
    secret_name: str = ""
    database_secret_name: str = ""
    node_selector: dict[str, str] = field(default_factory=dict)
    tolerations: list[dict[str, Any]] = field(default_factory=list)

    def bindings(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "app": self.app,
            "namespace": self.namespace,
            "host": self.host,
            "url": f"https://{self.host}",
            "pr": self.pr,
            "preview": self.preview,
            "sha": self.tag,
            "secrets.name": self.secret_name,
            "database.name": self.database_secret_name,
            "scheduling.nodeSelector": dict(self.node_selector),
            "scheduling.tolerations": [dict(t) for t in self.tolerations],
        }
        for component, repository in self.images.items():
            values[f"images.{component}.repository"] = repository
            values[f"images.{component}.tag"] = self.tag
            values[f"images.{component}.reference"] = f"{repository}:{self.tag}"
        return values


def _interpolated(text: str, bindings: Mapping[str, Any]) -> Any:
    whole = PLACEHOLDER.fullmatch(text.strip())
    if whole:
        return copy.deepcopy(bindings[whole.group(1)])

    def one(match: re.Match[str]) -> str:
        value = bindings[match.group(1)]
        if isinstance(value, (dict, list)):
            raise ValueError(
                f"placeholder << {match.group(1)} >> is a map or list and cannot sit inside "
                f"the text {text!r}: give it a value of its own"
            )
        return str(value).lower() if isinstance(value, bool) else str(value)

    return PLACEHOLDER.sub(one, text)


def substitute(template: Any, bindings: Mapping[str, Any]) -> Any:
    """The template with every placeholder replaced; the template is unchanged.
    Raises KeyError for a placeholder without a binding (the configuration
    check refuses those first)."""
    if isinstance(template, str):
        return _interpolated(template, bindings)
    if isinstance(template, Mapping):
        return {
            _interpolated(str(key), bindings) if isinstance(key, str) else key: substitute(
                item, bindings
            )
            for key, item in template.items()
        }
    if isinstance(template, list):
        return [substitute(item, bindings) for item in template]
    return copy.deepcopy(template)


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`extra` over `base`: maps merge key by key, anything else replaces."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def render(template: Any, context: Context) -> dict[str, Any]:
    values = substitute(template, context.bindings())
    if not isinstance(values, dict):
        raise ValueError("the values template must be a mapping of chart values")
    return values
