"""`preview gc` removes Vault paths of `app`'s previews that no preview owns
(older than an hour: an `up` seeds Vault before its push), with the CI
deployer's own AppRole credentials against a real OpenBao."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import hvac
import hvac.exceptions
import pytest

from wildside.cli import preview_gc
from wildside.core import clock
from wildside.vault import client as vault_client

from support.openbao import run_bootstrap


@pytest.fixture
def deployer(make_bao: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[hvac.Client, hvac.Client]:
    bao = make_bao()
    root = hvac.Client(url=bao.address, token="")
    init = root.sys.initialize(secret_shares=1, secret_threshold=1)
    root.sys.submit_unseal_key(init["keys_base64"][0])
    root.token = init["root_token"]
    configured = run_bootstrap(bao.address, env={"VAULT_TOKEN": init["root_token"]})
    assert configured.returncode == 0, configured.stderr
    role = "auth/approle/role/ci-deployer"
    monkeypatch.setenv("VAULT_ADDR", bao.address)
    monkeypatch.delenv("VAULT_TOKEN", raising=False)
    monkeypatch.setenv("VAULT_ROLE_ID", root.read(f"{role}/role-id")["data"]["role_id"])
    monkeypatch.setenv("VAULT_SECRET_ID", root.write_data(f"{role}/secret-id")["data"]["secret_id"])
    return root, vault_client.from_environment(purpose="preview gc")


def test_orphan_vault_paths_go_live_ones_and_other_apps_stay(
    deployer: tuple[hvac.Client, hvac.Client],
) -> None:
    root, client = deployer
    for path in (
        "wildside/previews/wildside/pr-50",  # a live preview
        "wildside/previews/wildside/pr-51",  # nothing owns it
        "wildside/previews/other/pr-51",  # another app's
    ):
        root.secrets.kv.v2.create_or_update_secret(path, {"SESSION_KEY": "x"})
    now = clock.utc_now()

    finished, found = preview_gc._external_orphans("wildside", {50}, client, None, now, False)
    assert found == []  # younger than an hour: an `up` may still be on its way

    later = now + timedelta(hours=2)
    dry, found = preview_gc._external_orphans("wildside", {50}, client, None, later, True)
    assert found == ["vault:wildside/previews/wildside/pr-51"] and dry == {}
    root.secrets.kv.v2.read_secret_metadata("wildside/previews/wildside/pr-51")

    finished, found = preview_gc._external_orphans("wildside", {50}, client, None, later, False)
    assert found == ["vault:wildside/previews/wildside/pr-51"]
    assert finished == {51: {"vault:wildside/previews/wildside/pr-51"}}
    with pytest.raises(hvac.exceptions.InvalidPath):
        root.secrets.kv.v2.read_secret_metadata("wildside/previews/wildside/pr-51")
    root.secrets.kv.v2.read_secret_metadata("wildside/previews/wildside/pr-50")
    root.secrets.kv.v2.read_secret_metadata("wildside/previews/other/pr-51")
