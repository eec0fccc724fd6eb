"""What an add-on (a preview's secrets, its database) contributes to a
preview overlay. Add-ons work in two steps: a `prepare` step in the shell
does the I/O once, before the Git retry loop; its result is this plain data,
which the loop's pure rendering merges into the overlay on every attempt.
Chart values are not among them: the values template names the add-ons'
Secrets through placeholders, so any chart's shape works."""

from __future__ import annotations

from dataclasses import dataclass, field

# The file of an overlay (preview or long-lived) that holds its ExternalSecret.
EXTERNAL_SECRET_FILE = "external-secret.yaml"  # noqa: S105 - a file name


@dataclass(frozen=True)
class OverlayExtras:
    files: dict[str, str] = field(default_factory=dict)
    health_check_exprs: list[dict[str, str]] = field(default_factory=list)
