"""Flux's word on a preview, turned into its pull request status.

notification-controller's `githubdispatch` provider sends every event of the
previews' Flux Kustomizations to the application repository as a
`repository_dispatch` whose `client_payload` is the Flux event itself
(`involvedObject`, `severity`, `reason`, `message`, `metadata`). A passed
health check (previews `wait`) means every object the preview created is
Ready; an error carries Flux's reason. Everything here is pure: parsing and
deciding."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from wildside.core.errors import BadInput
from wildside.github.comment import Status
from wildside.github.deployment import State

# The preview's Flux Kustomization is named <app>-pr-<N> (contract.identity).
_PREVIEW_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?-pr-([1-9][0-9]{0,8})$")
# kustomize-controller (v1.9) says a Kustomization with `wait` is Ready with
# an info event "Health check passed in …" (its reason is the Ready
# condition's at that moment, often Progressing). Its later "Reconciliation
# finished" event (ReconciliationSucceeded) is marked as a commit-status
# update, which notification-controller forwards only to commit-status
# providers, never to githubdispatch; it still counts when it arrives.
READY_MESSAGE = "Health check passed"
READY_REASONS = frozenset({"ReconciliationSucceeded"})
# Only a preview whose commit is out (deploying) or already judged moves on:
# while newer images build (queued) or after removal (inactive), Flux's news
# is about an old revision and must not overwrite the truth.
_ACCEPTING = frozenset({State.IN_PROGRESS.value, State.SUCCESS.value, State.FAILURE.value})


@dataclass(frozen=True)
class FluxEvent:
    kind: str
    name: str
    namespace: str
    severity: str
    reason: str
    message: str
    revision: str | None

    @property
    def pr(self) -> int | None:
        match = _PREVIEW_NAME.match(self.name)
        return int(match.group(2)) if self.kind == "Kustomization" and match else None


def parse(document: Any) -> FluxEvent:
    """A Flux event, or the `repository_dispatch` event that carries one."""
    if isinstance(document, dict) and isinstance(document.get("client_payload"), dict):
        document = document["client_payload"]
    if not isinstance(document, dict) or not isinstance(document.get("involvedObject"), dict):
        raise BadInput(
            "--event is not a Flux event: give the repository_dispatch event "
            "($GITHUB_EVENT_PATH) or its client_payload, with involvedObject"
        )
    involved = document["involvedObject"]
    raw_metadata = document.get("metadata")
    metadata: dict[Any, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
    revision = next(
        (str(v) for k, v in sorted(metadata.items()) if str(k).endswith("revision")), None
    )

    def text(value: Any) -> str:
        return value if isinstance(value, str) else ""

    return FluxEvent(
        kind=text(involved.get("kind")),
        name=text(involved.get("name")),
        namespace=text(involved.get("namespace")),
        severity=text(document.get("severity")),
        reason=text(document.get("reason")),
        message=text(document.get("message")),
        revision=revision,
    )


def outcome(event: FluxEvent) -> Status | None:
    """ready, failed, or None: an event that says nothing final (progress)."""
    if event.pr is None:
        return None
    if event.severity == "error":
        return Status.FAILED
    if event.severity == "info" and (
        event.reason in READY_REASONS or event.message.startswith(READY_MESSAGE)
    ):
        return Status.READY
    return None


def applies_to(current_state: str | None) -> bool:
    """Whether the Deployment's current state may take Flux's verdict."""
    return current_state in _ACCEPTING


def reason_line(event: FluxEvent) -> str:
    """Flux's failure reason for the comment: reason and first message line."""
    first = event.message.strip().splitlines()[0] if event.message.strip() else ""
    return f"{event.reason}: {first}"[:500] if event.reason else first[:500]


# The label every preview object (and so every preview Kustomization) carries.
_MANAGED_BY = {"app.kubernetes.io/managed-by": "wildside"}
NOTIFICATION_API = "notification.toolkit.fluxcd.io/v1beta3"
PROVIDER_NAME = "wildside-previews-github"


def alert_manifests(
    repository: str, *, namespace: str, secret: str, server_url: str
) -> list[dict[str, Any]]:
    """A githubdispatch Provider for the application repository and an Alert
    selecting the previews' Kustomizations (info, so success arrives too)."""
    return [
        {
            "apiVersion": NOTIFICATION_API,
            "kind": "Provider",
            "metadata": {"name": PROVIDER_NAME, "namespace": namespace},
            "spec": {
                "type": "githubdispatch",
                "address": f"{server_url.rstrip('/')}/{repository}",
                "secretRef": {"name": secret},
            },
        },
        {
            "apiVersion": NOTIFICATION_API,
            "kind": "Alert",
            "metadata": {"name": "wildside-previews", "namespace": namespace},
            "spec": {
                "providerRef": {"name": PROVIDER_NAME},
                "eventSeverity": "info",
                "eventSources": [
                    {"kind": "Kustomization", "name": "*", "matchLabels": dict(_MANAGED_BY)}
                ],
            },
        },
    ]
