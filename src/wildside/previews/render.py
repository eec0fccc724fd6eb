"""A preview's overlay as a pure function of the apps configuration, the
request, what was there before, and the time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from wildside.contract import kube, labels
from wildside.contract.identity import FLUX_FILE, PreviewIdentity, overlay_path
from wildside.contract.overlay import OverlayExtras
from wildside.core import clock, validation
from wildside.core.errors import BadInput
from wildside.core.yaml_io import dump, dump_documents
from wildside.previews import isolation, layout, records, values_template
from wildside.previews.config import AppsConfig
from wildside.previews.model import PreviewOptions, PreviewRecord, PreviewRequest

NAMESPACE_TRANSFORMER = "namespace-transformer.yaml"
# The preview annotations go on every object's own metadata only: kustomize's
# commonAnnotations would also write them into pod templates, and a Job's pod
# template is immutable, so a TTL change could not be applied.
ANNOTATIONS_TRANSFORMER = "annotations-transformer.yaml"


@dataclass(frozen=True)
class RenderedPreview:
    record: PreviewRecord
    files: dict[str, str]


def path_of(pr: int) -> str:
    return overlay_path(pr)


def host_of(identity: PreviewIdentity, domain: str) -> str:
    return validation.hostname(identity.host(domain), option="preview host")


def _quota(config: AppsConfig, namespace: str) -> dict[str, Any]:
    quota = config.quota
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": kube.metadata("preview-quota", namespace),
        "spec": {
            "hard": {
                "requests.cpu": quota.requests_cpu,
                "requests.memory": quota.requests_memory,
                "limits.cpu": quota.limits_cpu,
                "limits.memory": quota.limits_memory,
                "pods": str(quota.pods),
                "persistentvolumeclaims": str(quota.persistent_volume_claims),
                "services.loadbalancers": "0",
                "services.nodeports": "0",
            }
        },
    }


def _limit_range(config: AppsConfig, namespace: str) -> dict[str, Any]:
    quota = config.quota
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": kube.metadata("preview-defaults", namespace),
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "defaultRequest": {
                        "cpu": quota.default_request_cpu,
                        "memory": quota.default_request_memory,
                    },
                    "default": {
                        "cpu": quota.default_limit_cpu,
                        "memory": quota.default_limit_memory,
                    },
                }
            ]
        },
    }


def _lifecycle(record: PreviewRecord, ttl: timedelta) -> tuple[dict[str, str], dict[str, str]]:
    label_set = {
        labels.MANAGED_BY: "wildside",
        labels.PR: str(record.pr),
        labels.SHA: record.sha,
        labels.CREATED_AT: clock.to_label(record.created_at),
        labels.UPDATED_AT: clock.to_label(record.updated_at),
        labels.EXPIRES_AT: clock.to_label(record.expires_at),
        labels.PINNED: "true" if record.pinned else "false",
    }
    annotation_set = {labels.URL: record.url, labels.TTL: validation.format_ttl(ttl)}
    return label_set, annotation_set


def _epoch_annotations(record: PreviewRecord) -> dict[str, str]:
    return {
        labels.CREATED_AT_EPOCH: str(int(record.created_at.timestamp())),
        labels.UPDATED_AT_EPOCH: str(int(record.updated_at.timestamp())),
        labels.EXPIRES_AT_EPOCH: str(int(record.expires_at.timestamp())),
    }


def values_context(
    config: AppsConfig,
    record: PreviewRecord,
    identity: PreviewIdentity,
    images: dict[str, str],
) -> values_template.Context:
    """What the values template's placeholders stand for in this preview."""
    options = record.options
    return values_template.Context(
        app=config.app,
        namespace=record.namespace,
        host=record.url.removeprefix("https://"),
        tag=record.sha,
        images=images,
        pr=record.pr,
        preview=True,
        secret_name=identity.app_secret if options.secrets else "",
        database_secret_name=identity.database_secret if options.database else "",
        node_selector=dict(config.scheduling.node_selector),
        tolerations=[t.model_dump(exclude_none=True) for t in config.scheduling.tolerations],
    )


def _files(
    config: AppsConfig,
    record: PreviewRecord,
    images: dict[str, str],
    ttl: timedelta,
    extras: list[OverlayExtras],
) -> dict[str, str]:
    namespace = record.namespace
    label_set, annotation_set = _lifecycle(record, ttl)
    identity = PreviewIdentity(config.app, record.pr)
    context = values_context(config, record, identity, images)
    values = values_template.render(config.template(), context)
    if record.options.values:
        values = values_template.merge(
            values, values_template.render(record.options.values, context)
        )
    extra_files: dict[str, str] = {}
    health_exprs: list[dict[str, str]] = []
    for extra in extras:
        extra_files.update(extra.files)
        health_exprs.extend(extra.health_check_exprs)

    resources = [
        "../../../base",
        "namespace.yaml",
        isolation.NETWORK_POLICY_FILE,
        "resource-quota.yaml",
        "limit-range.yaml",
        *sorted(extra_files),
    ]
    overlay = kube.kustomization(
        resources,
        labels=[{"pairs": label_set, "includeSelectors": False}],
        patches=[{"path": layout.PATCH_FILE}],
        transformers=[NAMESPACE_TRANSFORMER, ANNOTATIONS_TRANSFORMER],
    )
    transformer = {
        "apiVersion": "builtin",
        "kind": "NamespaceTransformer",
        "metadata": {"name": "preview-namespace", "namespace": namespace},
        "unsetOnly": True,
        "setRoleBindingSubjects": "none",
        "fieldSpecs": [{"path": "metadata/namespace", "create": True}],
    }
    flux_spec: dict[str, Any] = {
        "interval": "10m",
        "retryInterval": "1m",
        "timeout": "10m",
        "path": f"./{record.path}",
        "prune": True,
        "wait": True,
        "sourceRef": {"kind": "GitRepository", "name": config.source_name},
    }
    if health_exprs:
        flux_spec["healthCheckExprs"] = health_exprs
    flux = {
        "apiVersion": kube.FLUX_KUSTOMIZE_API,
        "kind": "Kustomization",
        "metadata": kube.metadata(
            namespace,
            config.flux_namespace,
            labels=label_set,
            annotations={**annotation_set, **_epoch_annotations(record)},
        ),
        "spec": flux_spec,
    }
    files = {
        "kustomization.yaml": dump(overlay),
        NAMESPACE_TRANSFORMER: dump(transformer),
        ANNOTATIONS_TRANSFORMER: dump(
            {
                "apiVersion": "builtin",
                "kind": "AnnotationsTransformer",
                "metadata": {"name": "preview-annotations"},
                "annotations": annotation_set,
                "fieldSpecs": [{"path": "metadata/annotations", "create": True}],
            }
        ),
        # Preview pods run pull-request code: Pod Security `restricted`.
        "namespace.yaml": dump(isolation.namespace(namespace)),
        isolation.NETWORK_POLICY_FILE: dump_documents(
            isolation.network_policies(namespace, config.ingress_namespace)
        ),
        "resource-quota.yaml": dump(_quota(config, namespace)),
        "limit-range.yaml": dump(_limit_range(config, namespace)),
        layout.PATCH_FILE: dump(layout.values_patch(config, values)),
        FLUX_FILE: dump(flux),
        records.RECORD_FILE: records.record_text(record),
    }
    files.update(extra_files)
    return files


def check_images(config: AppsConfig, images: dict[str, str]) -> None:
    unknown = sorted(set(images) - set(config.images))
    if unknown:
        raise BadInput(
            f"--image {unknown[0]}={images[unknown[0]]} names no component of this app: use one of "
            f"{', '.join(sorted(config.images))} (the images in wildside.yaml)"
        )


def resolve_options(
    config: AppsConfig, request: PreviewRequest, previous: PreviewRecord | None
) -> PreviewOptions:
    """The preview's options after this request: what was stored, changed only
    where the request says so explicitly."""
    check_images(config, request.images)
    unknown = values_template.unknown(request.values or {}, list(config.images))
    if unknown:
        known = ", ".join(values_template.known_names(list(config.images)))
        raise BadInput(
            f"--values uses unknown placeholder(s) {', '.join(unknown)}: use only {known}"
        )
    options = (previous.options if previous else PreviewOptions()).updated_by(request)
    # An override of a component since removed from wildside.yaml is dropped.
    kept = {c: repository for c, repository in options.images.items() if c in config.images}
    return replace(options, images=kept) if kept != options.images else options


def render(
    config: AppsConfig,
    request: PreviewRequest,
    previous: PreviewRecord | None,
    existing_files: dict[str, str],
    now: datetime,
    extras: list[OverlayExtras] | None = None,
    options: PreviewOptions | None = None,
) -> RenderedPreview:
    """Render the overlay. Timestamps move only when the content does, so an
    unchanged request renders byte-identical files (no commit)."""
    options = options or resolve_options(config, request, previous)
    domain = options.preview_domain or config.preview_domain
    ttl = options.ttl or validation.ttl(config.preview_ttl)
    images = {**config.images, **options.images}
    created = previous.created_at if previous else now
    updated = previous.updated_at if previous else now
    history: tuple[str, ...] = ()
    if previous is not None:
        earlier = (previous.sha, *previous.history)
        history = tuple(dict.fromkeys(sha for sha in earlier if sha != request.sha))
    identity = PreviewIdentity(config.app, request.pr)
    record = PreviewRecord(
        pr=request.pr,
        sha=request.sha,
        url=f"https://{host_of(identity, domain)}",
        namespace=identity.namespace,
        path=identity.path,
        created_at=created,
        updated_at=updated,
        expires_at=updated + ttl,
        pinned=options.pinned,
        options=options,
        history=history[: records.HISTORY_LENGTH],
    )
    files = _files(config, record, images, ttl, extras or [])
    if previous is not None and files != existing_files:
        record = replace(record, updated_at=now, expires_at=now + ttl)
        files = _files(config, record, images, ttl, extras or [])
    return RenderedPreview(record=record, files=files)


def parse_record(
    flux_document: dict[str, Any], record_document: dict[str, Any] | None = None
) -> PreviewRecord:
    """Read a preview's record back: the options from `preview.yaml`, the
    lifecycle from its Flux Kustomization's metadata (where gc and
    kube-state-metrics read it too)."""
    meta = flux_document["metadata"]
    label_set: dict[str, str] = meta.get("labels", {})
    annotation_set: dict[str, str] = meta.get("annotations", {})
    pr = int(label_set[labels.PR])
    return PreviewRecord(
        pr=pr,
        sha=label_set[labels.SHA],
        url=annotation_set[labels.URL],
        namespace=meta["name"],
        path=path_of(pr),
        created_at=clock.from_label(label_set[labels.CREATED_AT]),
        updated_at=clock.from_label(label_set[labels.UPDATED_AT]),
        expires_at=clock.from_label(label_set[labels.EXPIRES_AT]),
        pinned=label_set.get(labels.PINNED) == "true",
        options=records.parse_options(record_document or {}),
        history=records.parse_history(record_document or {}),
    )
