"""Label and annotation keys that carry a preview's lifecycle policy, so a
garbage collector can decide from the repository alone."""

PREFIX = "previews.wildside.dev"
MANAGED_BY = "app.kubernetes.io/managed-by"
PR = f"{PREFIX}/pr"
SHA = f"{PREFIX}/sha"
CREATED_AT = f"{PREFIX}/created-at"
UPDATED_AT = f"{PREFIX}/updated-at"
EXPIRES_AT = f"{PREFIX}/expires-at"
PINNED = f"{PREFIX}/pinned"
URL = f"{PREFIX}/url"
TTL = f"{PREFIX}/ttl"
# Unix-seconds copies of the timestamps, as annotations on the preview's Flux
# Kustomization only: kube-state-metrics turns them into gauges
# (docs/monitoring.md), and it cannot parse the label format above.
CREATED_AT_EPOCH = f"{PREFIX}/created-at-epoch"
UPDATED_AT_EPOCH = f"{PREFIX}/updated-at-epoch"
EXPIRES_AT_EPOCH = f"{PREFIX}/expires-at-epoch"

# Pod Security admission (https://kubernetes.io/docs/concepts/security/pod-security-admission/).
POD_SECURITY_PREFIX = "pod-security.kubernetes.io"
POD_SECURITY_REASON = "wildside.dev/pod-security-reason"  # why a namespace is not `restricted`


def pod_security(level: str) -> dict[str, str]:
    """Enforce `level`; audit and warn at `restricted`, so anything short of it is reported."""
    return {
        f"{POD_SECURITY_PREFIX}/enforce": level,
        f"{POD_SECURITY_PREFIX}/audit": "restricted",
        f"{POD_SECURITY_PREFIX}/warn": "restricted",
    }
