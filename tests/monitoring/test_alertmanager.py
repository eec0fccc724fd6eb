"""The rendered Alertmanager configuration passes the real amtool for every
receiver kind, routes as documented, and never carries a credential."""

from __future__ import annotations

from pathlib import Path

import pytest

from wildside.platform.monitoring import alertmanager
from wildside.platform.monitoring.settings import MonitoringSettings, ReceiverSettings

from support.prometheus import check_alertmanager, route, write_yaml

RECEIVERS = {
    "none": ReceiverSettings(),
    "slack": ReceiverSettings(kind="slack", slack_channel="#alerts"),
    "webhook": ReceiverSettings(kind="webhook", webhook_url="https://hooks.example.com/alerts"),
    "email": ReceiverSettings(
        kind="email",
        email_to="ops@example.com",
        email_from="alertmanager@example.com",
        smarthost="smtp.example.com:587",
        email_username="alertmanager",
    ),
}


def _written(settings: MonitoringSettings, kind: str, tmp_path: Path) -> Path:
    configured = settings.model_copy(update={"receiver": RECEIVERS[kind]})
    return write_yaml(tmp_path / f"alertmanager-{kind}.yaml", alertmanager.config(configured))


@pytest.mark.parametrize("kind", sorted(RECEIVERS))
def test_amtool_accepts_each_receiver_kind(
    settings: MonitoringSettings, kind: str, tmp_path: Path
) -> None:
    path = _written(settings, kind, tmp_path)
    out = check_alertmanager(path)
    assert "SUCCESS" in out
    text = path.read_text()
    # Credentials come from mounted files only.
    assert "hooks.slack.com" not in text
    assert "api_url:" not in text and "auth_password:" not in text
    if kind != "none":
        assert alertmanager.SECRETS_DIR in text


def test_routing(settings: MonitoringSettings, tmp_path: Path) -> None:
    path = _written(settings, "slack", tmp_path)
    assert route(path, "alertname=Watchdog", "severity=none") == alertmanager.NULL_RECEIVER
    assert route(path, "alertname=VaultSealed", "severity=critical") == "operators"
    assert route(path, "alertname=PreviewNotReady", "severity=warning") == "operators"


def test_preview_alerts_are_inhibited_by_critical_platform_alerts(
    settings: MonitoringSettings,
) -> None:
    rules = alertmanager.config(settings)["inhibit_rules"]
    assert {
        "source_matchers": ['scope="platform"', 'severity="critical"'],
        "target_matchers": ['scope="preview"'],
        "equal": ["cluster"],
    } in rules
