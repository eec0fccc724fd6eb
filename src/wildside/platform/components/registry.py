"""Every component the renderer knows, by name. To add one, write a module
exposing `COMPONENT` (a `Component` instance) and add its module path here."""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from wildside.core.errors import BadInput
from wildside.platform.components.base import Component

MODULES = (
    "wildside.platform.components.sources",
    "wildside.platform.components.traefik",
    "wildside.platform.components.cert_manager",
    "wildside.platform.components.external_dns",
    "wildside.platform.components.vault",
    "wildside.platform.components.databases",
    "wildside.platform.components.redis",
    "wildside.platform.components.receiver",
    "wildside.platform.monitoring.platform_component",
    "wildside.platform.components.apps",
)


@cache
def components() -> dict[str, Component[Any]]:
    found: dict[str, Component[Any]] = {}
    for module_name in MODULES:
        component: Component[Any] = importlib.import_module(module_name).COMPONENT
        if component.name in found:
            raise RuntimeError(f"two components are named {component.name!r}")
        found[component.name] = component
    return found


def get(name: str, *, cluster: str) -> Component[Any]:
    known = components()
    if name not in known:
        raise BadInput(
            f"cluster {cluster}: unknown component {name!r}: choose from {', '.join(sorted(known))}"
        )
    return known[name]
