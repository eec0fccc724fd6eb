"""Names the platform tree and the apps tree must agree on. Change them here
only: the platform renderer creates these objects, previews refer to them."""

FLUX_NAMESPACE = "flux-system"
APPS_SOURCE = "wildside-apps"  # GitRepository of the wildside-apps repository
INGRESS_NAMESPACE = "traefik"
SECRET_STORE = "vault"  # noqa: S105 - the ClusterSecretStore name, not a secret
VAULT_KV_MOUNT = "secret"
VAULT_APP_PREFIX = "wildside"  # KV paths: wildside/apps/<env>, wildside/previews/pr-<N>
DATABASES_NAMESPACE = "databases"
PREVIEW_DB_CLUSTER = "previews-pg"  # shared CloudNativePG cluster hosting preview databases
TEMPLATE_DATABASE = "wildside_template"
MONITORING_NAMESPACE = "monitoring"
