"""Fixtures for the monitoring component, built the way production builds it:
`wildside platform render` of the example clusters, with dev's monitoring
settings filled in (a Slack receiver, its own Grafana host and certificate
issuer, a Vault address with a port and a private CA), staging on defaults
and production without monitoring."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from wildside.platform.monitoring.settings import MonitoringSettings

from support.monitoring_render import settings_of
from support.platform_tree import EXAMPLES, render_into

CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----"
DEV_MONITORING = {
    "grafana_host": "grafana.dev.example.com",
    "grafana_tls_issuer": "letsencrypt-production",
    "max_previews": 15,
    "receiver": {"kind": "slack", "slack_channel": "#wildside-alerts"},
}


@pytest.fixture(scope="session")
def config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("monitoring") / "clusters-config"
    shutil.copytree(EXAMPLES, target)
    dev = target / "dev.yaml"
    document = yaml.safe_load(dev.read_text())
    document["components"]["monitoring"] = DEV_MONITORING
    document["vault"].update(address="https://vault.example.com:8200", ca_certificate=CA)
    dev.write_text(yaml.safe_dump(document))
    production = target / "production.toml"
    production.write_text(production.read_text().replace("[components.monitoring]\n", ""))
    return target


@pytest.fixture(scope="session")
def tree(config_dir: Path) -> Path:
    """What `wildside platform render --all` writes for those configurations."""
    output = config_dir.parent / "tree"
    completed = render_into(output, config_dir)
    assert completed.returncode == 0, completed.stderr
    return output


@pytest.fixture(scope="session")
def rendered(tree: Path) -> Path:
    """dev's cluster folder: `<layer>/monitoring/` holds its monitoring objects."""
    return tree / "clusters" / "dev"


@pytest.fixture
def settings(config_dir: Path) -> MonitoringSettings:
    return settings_of(config_dir, "dev")
