"""The layout of Vault's KV mount: where an environment's, a preview's and
the platform's secrets live. Vault policies, the platform tree and previews
all derive their paths from here."""

from __future__ import annotations

from wildside.contract import names

PREFIX = names.VAULT_APP_PREFIX
APPS = f"{PREFIX}/apps"
PREVIEWS = f"{PREFIX}/previews"
PLATFORM = f"{PREFIX}/platform"


def app_environment(environment: str) -> str:
    """An app's long-lived environment, e.g. wildside/apps/staging."""
    return f"{APPS}/{environment}"


def previews_of(app: str) -> str:
    """The folder holding every preview path of `app` (gc lists it for orphans)."""
    return f"{PREVIEWS}/{app}"


def preview(app: str, pr: int) -> str:
    """A preview's own path: it includes the app, so two apps' pr-12 never share one."""
    return f"{previews_of(app)}/pr-{pr}"


def platform(component: str) -> str:
    """A platform component's secrets, e.g. wildside/platform/redis."""
    return f"{PLATFORM}/{component}"
