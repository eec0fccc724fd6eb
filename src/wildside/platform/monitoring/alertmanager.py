"""Alertmanager's configuration as data. Credentials are never part of it:
each receiver reads them from a file mounted from the `alertmanager-receivers`
Secret, which an ExternalSecret fills from Vault."""

from __future__ import annotations

from typing import Any

from wildside.platform.monitoring.settings import MonitoringSettings

RECEIVER_SECRET = "alertmanager-receivers"  # noqa: S105 - a Secret's name
SECRETS_DIR = f"/etc/alertmanager/secrets/{RECEIVER_SECRET}"
# Keys of the Vault entry (and of the Secret): which one is read depends on the receiver kind.
SECRET_KEYS = {"slack": "slack-api-url", "webhook": "webhook-token", "email": "smtp-password"}
DEFAULT_RECEIVER = "operators"
NULL_RECEIVER = "null"


def _receiver(settings: MonitoringSettings) -> dict[str, Any]:
    r = settings.receiver
    receiver: dict[str, Any] = {"name": DEFAULT_RECEIVER}
    if r.kind == "slack":
        slack: dict[str, Any] = {
            "api_url_file": f"{SECRETS_DIR}/{SECRET_KEYS['slack']}",
            "send_resolved": True,
            "title": "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}"
            " ({{ .CommonLabels.cluster }})",
            "text": "{{ range .Alerts }}*{{ .Annotations.summary }}*\n"
            "{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}",
        }
        if r.slack_channel:
            slack["channel"] = r.slack_channel
        receiver["slack_configs"] = [slack]
    elif r.kind == "webhook":
        # The URL is not secret; the bearer token that authenticates us is.
        receiver["webhook_configs"] = [
            {
                "url": r.webhook_url,
                "send_resolved": True,
                "http_config": {
                    "authorization": {
                        "type": "Bearer",
                        "credentials_file": f"{SECRETS_DIR}/{SECRET_KEYS['webhook']}",
                    }
                },
            }
        ]
    elif r.kind == "email":
        email: dict[str, Any] = {
            "to": r.email_to,
            "from": r.email_from,
            "smarthost": r.smarthost,
            "send_resolved": True,
            "require_tls": True,
        }
        if r.email_username:
            email["auth_username"] = r.email_username
            email["auth_password_file"] = f"{SECRETS_DIR}/{SECRET_KEYS['email']}"
        receiver["email_configs"] = [email]
    return receiver


def config(settings: MonitoringSettings) -> dict[str, Any]:
    """alertmanager.yaml: group per alert and namespace, critical alerts
    repeat hourly, the Watchdog heartbeat goes nowhere, and noise is
    inhibited (see the module docstring of `rules`)."""
    return {
        "global": {"resolve_timeout": "5m"},
        "route": {
            "receiver": DEFAULT_RECEIVER,
            "group_by": ["alertname", "cluster", "namespace"],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "12h",
            "routes": [
                {
                    "receiver": NULL_RECEIVER,
                    "matchers": ['alertname=~"Watchdog|InfoInhibitor"'],
                },
                {
                    "receiver": DEFAULT_RECEIVER,
                    "matchers": ['severity="critical"'],
                    "repeat_interval": "1h",
                },
            ],
        },
        "inhibit_rules": [
            {
                # A broken platform (Flux layer, database, Vault, nodes) makes previews fail too.
                "source_matchers": ['scope="platform"', 'severity="critical"'],
                "target_matchers": ['scope="preview"'],
                "equal": ["cluster"],
            },
            {
                "source_matchers": ['severity="critical"'],
                "target_matchers": ['severity=~"warning|info"'],
                "equal": ["cluster", "namespace", "alertname"],
            },
            {
                "source_matchers": ['alertname="PreviewsAtCap"'],
                "target_matchers": ['alertname="PreviewsNearCap"'],
                "equal": ["cluster"],
            },
            {
                "source_matchers": ['alertname="InfoInhibitor"'],
                "target_matchers": ['severity="info"'],
                "equal": ["namespace"],
            },
        ],
        "receivers": [{"name": NULL_RECEIVER}, _receiver(settings)],
    }
