"""Flux `postBuild.substitute` semantics for tests: replace `${var}`,
`${var:=default}` and `${var:-default}` in built manifests; `$${var}` is an
escape that yields a literal `${var}`. Like Flux with strict substitution,
a variable without a value or default is an error."""

from __future__ import annotations

import re

_NAME = r"[_a-zA-Z][_a-zA-Z0-9]*"
_PATTERN = re.compile(r"\$(\$)?\{(" + _NAME + r")(?:(:?[=-])([^}]*))?\}")


class UnsetVariable(KeyError):
    pass


def substitute(text: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        escaped, name, operator, default = match.groups()
        if escaped:
            return match.group(0)[1:]
        value = values.get(name)
        if value is None or (value == "" and operator and operator.startswith(":")):
            if operator is None:
                raise UnsetVariable(f"variable {name} is not set and has no default")
            return default
        return value

    return _PATTERN.sub(replace, text)


def leftover_variables(text: str) -> list[str]:
    return [m.group(0) for m in _PATTERN.finditer(text) if not m.group(1)]
