"""The OpenBao appliance's user_data, rendered by the real OpenTofu (`templatefile` in
`tofu console`): valid cloud-config, scripts bash accepts, and no private key.

The nodes themselves cannot run here (no droplets); these checks catch a template that
OpenTofu renders into a document cloud-init or bash would reject on first boot.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
import yaml

from support.infra_hcl import MODULES_DIR
from support.tofu import Tofu, tofu

TEMPLATES = MODULES_DIR / "vault_appliance" / "templates"

# Every variable each template takes, with sample values (the module's own are computed).
SCRIPTS = {
    "install-openbao.sh.tftpl": {
        "openbao_version": "2.4.1",
        "package_sha256": "0" * 64,
        "volume_name": "wildside-shared-0-data",
        "data_dir": "/opt/openbao/data",
    },
    "raft-snapshot.sh.tftpl": {
        "bucket": "wildside-shared-raft-snapshots-0a1b2c3d",
        "region": "fra1",
        "endpoint": "fra1.digitaloceanspaces.com",
    },
    "fetch-tls.sh.tftpl": {
        "bucket": "wildside-shared-raft-snapshots-0a1b2c3d",
        "region": "fra1",
        "endpoint": "fra1.digitaloceanspaces.com",
        "prefix": "tls/wildside-shared-0",
    },
}


def render(engine: Tofu, template: Path, variables: dict[str, str], workdir: Path) -> str:
    # base64 so that the console's string quoting cannot alter a byte.
    expression = f"base64encode(templatefile({json.dumps(str(template))}, {json.dumps(variables)}))"
    done = subprocess.run(
        [engine.binary, f"-chdir={workdir}", "console"],
        input=expression,
        capture_output=True,
        text=True,
        env=engine.env(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"tofu console could not render {template.name}:\n{done.stderr}"
    return base64.b64decode(done.stdout.strip().strip('"')).decode()


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_each_script_renders_into_bash_that_parses(name: str, tmp_path: Path) -> None:
    script = render(tofu(), TEMPLATES / name, SCRIPTS[name], tmp_path)
    assert script.startswith("#!/usr/bin/env bash\n")
    done = subprocess.run(
        ["bash", "-n"], input=script, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, f"{name} renders into a script bash rejects:\n{done.stderr}"


def test_user_data_is_cloud_config_without_any_private_key(tmp_path: Path) -> None:
    sample = base64.b64encode(b"#!/usr/bin/env bash\ntrue\n").decode()
    ca = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    variables = {
        "install_script": sample,
        "openbao_config": sample,
        "snapshot_script": sample,
        "tls_script": sample,
        "snapshot_env": base64.b64encode(b"SPACES_ACCESS_KEY_ID=x\n").decode(),
        "snapshot_schedule": "hourly",
        "ca_pem": ca.decode(),
    }
    text = render(tofu(), TEMPLATES / "cloud-init.yaml.tftpl", variables, tmp_path)
    assert text.startswith("#cloud-config\n")
    document = yaml.safe_load(text)
    files = {entry["path"]: entry for entry in document["write_files"]}
    contents = {
        path: base64.b64decode(entry["content"]).decode()
        if entry.get("encoding") == "b64"
        else entry["content"]
        for path, entry in files.items()
    }
    assert not [path for path, body in contents.items() if "PRIVATE KEY" in body]
    assert {"/usr/local/sbin/wildside-openbao-tls", "/etc/systemd/system/openbao-tls.timer"} <= set(
        files
    )
    # The node's key and certificate arrive later, from the bucket: only the CA is staged.
    assert not [p for p in files if p.endswith(("key.pem", "server.pem"))]
    started = [" ".join(step) for step in document["runcmd"]]
    assert "systemctl enable --now openbao-tls.timer openbao-snapshot.timer" in started
