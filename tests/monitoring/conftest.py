"""Fixtures for the monitoring component: settings as a cluster would give
them, and the rendered trees written to disk for the real tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from wildside.gitops.tree import sync_directory
from wildside.platform.monitoring.component import monitoring_tree
from wildside.platform.monitoring.settings import MonitoringSettings, ReceiverSettings

CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----"


@pytest.fixture
def settings() -> MonitoringSettings:
    return MonitoringSettings(
        cluster="dev-fra1",
        environment="dev",
        grafana_host="grafana.dev.example.com",
        grafana_tls_issuer="letsencrypt",
        vault_address="https://vault.example.com:8200",
        vault_ca_certificate=CA,
        receiver=ReceiverSettings(kind="slack", slack_channel="#wildside-alerts"),
    )


@pytest.fixture
def rendered(settings: MonitoringSettings, tmp_path: Path) -> Path:
    """The three layer trees under tmp_path/<layer>/monitoring."""
    for layer, files in monitoring_tree(settings).items():
        sync_directory(tmp_path, f"{layer}/monitoring", files)
    return tmp_path
