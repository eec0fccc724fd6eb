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
