"""Each root's `encryption` block, run by the real OpenTofu: the state and plan files it
writes are encrypted, and another passphrase cannot read them.

The roots themselves need the cloud to plan, so the block is lifted verbatim into a
scratch configuration with a local backend and one `terraform_data` resource.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from support.infra_hcl import ROOTS, rel
from support.tofu import Tofu, tofu

MARKER = "plain-text-marker-0451"
PASSPHRASE = "correct horse battery staple"


def encryption_block(root: Path) -> str:
    lines = (root / "versions.tf").read_text(encoding="utf-8").splitlines()
    start = lines.index("  encryption {")
    end = lines.index("  }", start)
    return "\n".join(lines[start : end + 1])


def scratch(root: Path, directory: Path) -> Path:
    directory.mkdir()
    (directory / "main.tf").write_text(
        "terraform {\n"
        + encryption_block(root)
        + "\n}\n\n"
        + 'variable "state_passphrase" {\n  type      = string\n  sensitive = true\n}\n\n'
        + f'resource "terraform_data" "marker" {{\n  input = "{MARKER}"\n}}\n'
    )
    return directory


def run(
    engine: Tofu, directory: Path, passphrase: str, *args: str
) -> subprocess.CompletedProcess[str]:
    # The passphrase goes through the environment, never argv.
    return subprocess.run(
        [engine.binary, f"-chdir={directory}", *args, "-input=false", "-no-color"],
        capture_output=True,
        text=True,
        env=engine.env() | {"TF_VAR_state_passphrase": passphrase},
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("root", ROOTS, ids=[rel(r) for r in ROOTS])
def test_state_and_plan_are_encrypted_and_need_the_passphrase(root: Path, tmp_path: Path) -> None:
    engine = tofu()
    directory = scratch(root, tmp_path / "root")
    for args in (["init"], ["apply", "-auto-approve"], ["plan", "-out=saved.tfplan"]):
        done = run(engine, directory, PASSPHRASE, *args)
        assert done.returncode == 0, f"tofu {args[0]}:\n{done.stdout[-2000:]}{done.stderr}"

    state = (directory / "terraform.tfstate").read_text(encoding="utf-8")
    assert MARKER not in state
    assert "encrypted_data" in json.loads(state), "the state file is not encrypted"
    plan = directory / "saved.tfplan"
    assert not zipfile.is_zipfile(plan), "the plan file is a plain (unencrypted) plan"
    assert MARKER.encode() not in plan.read_bytes()

    refused = run(engine, directory, "another passphrase entirely", "plan")
    assert refused.returncode != 0, "another passphrase read the state"
    assert "decryption failed" in refused.stderr, refused.stderr[-2000:]
    assert PASSPHRASE not in refused.stdout + refused.stderr
