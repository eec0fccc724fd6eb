"""The bootstrap action's path to sealed nodes from a GitHub-hosted runner: port 8200 of
the appliance's firewall opened to the runner's address for the run, closed after it.

Sealed nodes leave the load balancer (its health check), so `wildside vault bootstrap`
must reach each node directly, which the firewall admits only from admin_cidrs. The
action's steps run here as GitHub would run them; doctl (the DigitalOcean API) is
simulated and checks every call's arguments.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from cmd_mox import CmdMox

from support.infra_hcl import REPO

ACTION_DIR = REPO / ".github" / "actions" / "bootstrap-vault-appliance"
WORKFLOW = REPO / ".github" / "workflows" / "vault-bootstrap.yml"
RULE = "protocol:tcp,ports:8200,address:203.0.113.9/32"
TOKEN = "dop_v1_" + "f" * 64
FIREWALLS = [
    {"id": "11111111-aaaa", "name": "wildside-staging-vault"},
    {"id": "22222222-bbbb", "name": "wildside-dev-vault"},
]


def steps() -> dict[str, dict[str, Any]]:
    action = yaml.safe_load((ACTION_DIR / "action.yml").read_text(encoding="utf-8"))
    return {step["name"]: step for step in action["runs"]["steps"]}


OPEN = "Open port 8200 of the appliance to this runner"
CLOSE = "Close port 8200 again"


def run_step(step: dict[str, Any], runner: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # From os.environ: CmdMox's shims find their controller through it.
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DIGITALOCEAN_", "INPUT_"))},
        "GITHUB_ACTION_PATH": str(ACTION_DIR),
        "RUNNER_TEMP": str(runner),
        "RUNNER_PUBLIC_IP": "203.0.113.9",
        "INPUT_ENVIRONMENT": "dev",
        "INPUT_DROPLET_TAG": "",
        "DIGITALOCEAN_ACCESS_TOKEN": TOKEN,
        **env,
    }
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_steps_open_before_the_bootstrap_and_always_close_after_it() -> None:
    names = list(steps())
    assert names.index(OPEN) < names.index("Bootstrap the Vault appliance") < names.index(CLOSE)
    assert steps()[OPEN]["if"] == "inputs.open-firewall == 'true'"
    assert steps()[CLOSE]["if"] == "always() && inputs.open-firewall == 'true'"
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    used = workflow["jobs"]["bootstrap"]["steps"][1]["with"]
    # Discovery (no VAULT_ADDR) dials every node directly: that is when it must open.
    assert used["open-firewall"] == "${{ vars.VAULT_ADDR == '' }}"


class Firewalls:
    """The DigitalOcean firewall API as doctl shows it: two firewalls, their inbound rules
    as doctl's rule strings. Every call is recorded; anything unexpected fails."""

    def __init__(self) -> None:
        self.rules: dict[str, list[str]] = {f["id"]: [] for f in FIREWALLS}
        self.calls: list[list[str]] = []

    def __call__(self, invocation: Any) -> tuple[str, str, int]:
        args = list(invocation.args)
        self.calls.append(args)
        assert invocation.env.get("DIGITALOCEAN_ACCESS_TOKEN") == TOKEN
        match args:
            case ["compute", "firewall", "list", "--output", "json"]:
                return json.dumps(FIREWALLS), "", 0
            case ["compute", "firewall", "add-rules", fid, "--inbound-rules", rule]:
                self.rules[fid].append(rule)
                return "", "", 0
            case ["compute", "firewall", "remove-rules", fid, "--inbound-rules", rule]:
                self.rules[fid].remove(rule)
                return "", "", 0
        return "", f"unexpected doctl call {args}", 1


def run_with(
    api: Firewalls, step: str, runner: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    with CmdMox() as mox:
        mox.stub("doctl").runs(api)
        mox.replay()
        done = run_step(steps()[step], runner, **env)
        mox.verify()
    assert TOKEN not in done.stdout + done.stderr
    assert not [call for call in api.calls if TOKEN in " ".join(call)], "the token is in argv"
    return done


def test_open_then_close_adds_and_removes_exactly_the_runner_rule(tmp_path: Path) -> None:
    api = Firewalls()
    opened = run_with(api, OPEN, tmp_path)
    assert opened.returncode == 0, opened.stderr
    assert "open to 203.0.113.9/32" in opened.stdout
    assert api.rules == {"11111111-aaaa": [], "22222222-bbbb": [RULE]}

    closed = run_with(api, CLOSE, tmp_path)
    assert closed.returncode == 0, closed.stderr
    assert api.rules == {"11111111-aaaa": [], "22222222-bbbb": []}
    assert not (tmp_path / "vault-firewall-rule").exists()

    again = run_with(api, CLOSE, tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(api.calls) == 3, "a second close calls nothing"


def test_close_without_an_open_rule_does_nothing(tmp_path: Path) -> None:
    api = Firewalls()
    closed = run_with(api, CLOSE, tmp_path)
    assert closed.returncode == 0, closed.stderr
    assert api.calls == []


def test_a_droplet_tag_override_names_the_firewall(tmp_path: Path) -> None:
    api = Firewalls()
    opened = run_with(api, OPEN, tmp_path, INPUT_DROPLET_TAG="wildside-staging-vault")
    assert opened.returncode == 0, opened.stderr
    assert api.rules == {"11111111-aaaa": [RULE], "22222222-bbbb": []}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"INPUT_ENVIRONMENT": "production"},
            "no single firewall named 'wildside-production-vault'",
        ),
        ({"RUNNER_PUBLIC_IP": "not-an-address"}, "'not-an-address' is not this runner's IPv4"),
    ],
    ids=["no firewall of that name", "no usable runner address"],
)
def test_open_refuses_in_one_line_and_adds_nothing(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    api = Firewalls()
    opened = run_with(api, OPEN, tmp_path, **env)
    assert opened.returncode == 2
    assert message in opened.stderr and len(opened.stderr.strip().splitlines()) == 1
    assert api.rules == {"11111111-aaaa": [], "22222222-bbbb": []}
    assert not (tmp_path / "vault-firewall-rule").exists()
