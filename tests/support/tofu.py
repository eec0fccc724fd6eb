"""The real OpenTofu and providers for the infra tests, built offline.

`scripts/tofu-mirror.sh` builds OpenTofu and every provider infra/ uses from the Go
modules pinned under engines/ and lays the providers out as a filesystem mirror with a
CLI configuration that installs from it only. A missing toolchain fails the tests (never
skips): the test command must build it.
"""

from __future__ import annotations

import fcntl
import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.infra_hcl import INFRA, REPO

MIRROR_SCRIPT = REPO / "scripts" / "tofu-mirror.sh"
DOCS_GROUP = "terraform-docs"


@dataclass(frozen=True)
class Tofu:
    """The tofu binary and the environment that makes it install from the local mirror."""

    binary: str
    cli_config: str

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "VAULT_"))}
        env.update(
            TF_CLI_CONFIG_FILE=self.cli_config,
            TF_IN_AUTOMATION="1",
            TF_INPUT="0",
            CHECKPOINT_DISABLE="1",
            # Credentials never reach these runs: every provider is mocked or only validated.
            DIGITALOCEAN_TOKEN="",
        )
        return env

    def run(
        self, directory: Path, *args: str, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.binary, f"-chdir={directory}", *args],
            capture_output=True,
            text=True,
            env=self.env(),
            timeout=timeout,
            check=False,
        )


def _locked_build(*command: str) -> str:
    """Runs a build script under a lock (pytest-xdist workers share the cache)."""
    if shutil.which("go") is None:
        pytest.fail(
            "Go is not installed: scripts/test.sh needs Go 1.26 to build OpenTofu and its providers"
        )
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wildside"
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / "tofu-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        completed = subprocess.run(
            ["bash", *command], capture_output=True, text=True, timeout=3600, check=False
        )
    if completed.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} failed ({completed.returncode}):\n{completed.stderr[-4000:]}"
        )
    return completed.stdout


@functools.cache
def tofu() -> Tofu:
    """Builds (or finds in the cache) OpenTofu and the provider mirror.

    WILDSIDE_TOFU and WILDSIDE_TOFU_CLI_CONFIG (both) point at an existing build instead."""
    if os.environ.get("WILDSIDE_TOFU") and os.environ.get("WILDSIDE_TOFU_CLI_CONFIG"):
        return Tofu(
            binary=os.environ["WILDSIDE_TOFU"], cli_config=os.environ["WILDSIDE_TOFU_CLI_CONFIG"]
        )
    values: dict[str, str] = {}
    for line in _locked_build(str(MIRROR_SCRIPT)).splitlines():
        key, _, value = line.partition("=")
        values[key] = value
    binary, config = values.get("TOFU", ""), values.get("TF_CLI_CONFIG_FILE", "")
    if not (os.access(binary, os.X_OK) and Path(config).is_file()):
        pytest.fail(f"scripts/tofu-mirror.sh printed no usable TOFU/TF_CLI_CONFIG_FILE: {values}")
    return Tofu(binary=binary, cli_config=config)


@functools.cache
def terraform_docs() -> str:
    """The terraform-docs binary, built from its pinned module (engines/terraform-docs);
    WILDSIDE_TERRAFORM_DOCS points at an existing build instead."""
    if os.environ.get("WILDSIDE_TERRAFORM_DOCS"):
        return os.environ["WILDSIDE_TERRAFORM_DOCS"]
    bin_dir = (
        _locked_build(str(REPO / "scripts" / "engines.sh"), DOCS_GROUP).strip().splitlines()[-1]
    )
    binary = Path(bin_dir) / "terraform-docs"
    if not os.access(binary, os.X_OK):
        pytest.fail(f"terraform-docs was not built into {bin_dir}")
    return str(binary)


def copy_infra(destination: Path) -> Path:
    """A private copy of infra/ (init writes .terraform/ and lock files into the directory)."""
    target = destination / "infra"
    shutil.copytree(
        INFRA,
        target,
        ignore=shutil.ignore_patterns(".terraform", "*.tfstate", "*.tfstate.backup", "*.tfplan"),
    )
    return target
