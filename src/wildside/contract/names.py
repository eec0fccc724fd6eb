"""Names the platform tree and the apps tree must agree on. Change them here
only: the platform renderer creates these objects, previews refer to them."""

DEFAULT_APP = "wildside"  # the app name of a wildside.yaml that names none
FLUX_NAMESPACE = "flux-system"
APPS_SOURCE = "wildside-apps"  # GitRepository of the wildside-apps repository
INGRESS_NAMESPACE = "traefik"
SECRET_STORE = "vault"  # noqa: S105 - the ClusterSecretStore name, not a secret
VAULT_KV_MOUNT = "secret"
VAULT_ADDRESS_ENV = "VAULT_ADDR"  # set: the CLI uses Vault; unset: it never loads a client
VAULT_APP_PREFIX = "wildside"  # KV paths: wildside/apps/<env>, wildside/previews/pr-<N>
DATABASES_NAMESPACE = "databases"
PREVIEW_DB_CLUSTER = "previews-pg"  # shared CloudNativePG cluster hosting preview databases
TEMPLATE_DATABASE = "wildside_template"
MONITORING_NAMESPACE = "monitoring"
# The container port name Prometheus scrapes in app pods (PodMonitor, preview NetworkPolicy, chart).
METRICS_PORT = "metrics"
# External Secrets authenticates to Vault with the Kubernetes auth method: the
# Vault side (issue 5) creates this role on this mount, bound to this service account.
VAULT_KUBERNETES_AUTH_MOUNT = "kubernetes"
VAULT_ESO_ROLE = "external-secrets"
ESO_NAMESPACE = "external-secrets"
ESO_SERVICE_ACCOUNT = "external-secrets"
WILDCARD_CERTIFICATE_SECRET = "wildcard-preview-tls"  # noqa: S105 - a Secret's name
CLUSTER_VARS = "cluster-vars"  # ConfigMap in flux-system holding per-cluster substitutions
REDIS_NAMESPACE = "redis"  # shared Valkey cache (user `default`, password from Vault)
REDIS_SERVICE = "wildside-redis"  # host wildside-redis.redis.svc.cluster.local:6379
# The doks module labels and taints the previews node pool with these (infra/modules/doks).
PREVIEW_POOL_LABEL = ("wildside.dev/pool", "previews")
PREVIEW_POOL_TAINT = ("wildside.dev/preview", "true", "NoSchedule")
