"""The delivery's supply chain, checked by the real tools: zizmor (offline)
and actionlint pass over .github with no findings; every third-party action
is pinned to a full commit SHA with its version beside it; our own actions
come from the workflow's own commit (`$/...`), never a separate ref; every
job has a timeout; and the CLI installs from a hashed lock that pip verifies
(a tampered hash is refused)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from support.tools import REPO_ROOT, require_tool

GITHUB = REPO_ROOT / ".github"
LOCK = REPO_ROOT / "requirements" / "cli.txt"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
# Third-party actions this project runs, with the commit each tag pointed at
# when it was pinned (read from the action repositories' tags).
VERIFIED = {
    "actions/checkout": ("d23441a48e516b6c34aea4fa41551a30e30af803", "v6.1.0"),
    "actions/setup-python": ("ece7cb06caefa5fff74198d8649806c4678c61a1", "v6.3.0"),
    "actions/setup-go": ("924ae3a1cded613372ab5595356fb5720e22ba16", "v6.5.0"),
    "actions/cache": ("27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    "docker/setup-buildx-action": ("37fe631027851001ddb9b187196cc803df7f5f0e", "v4.3.0"),
    "docker/login-action": ("4907a6ddec9925e35a0a9e82d7399ccc52663121", "v4.1.0"),
    "docker/build-push-action": ("53b7df96c91f9c12dcc8a07bcb9ccacbed38856a", "v7.3.0"),
    "opentofu/setup-opentofu": ("a1320f892987e89d278cc92dc5adc984fb93aca4", "v2.0.2"),
    "terraform-linters/setup-tflint": ("6e1e0642c0289bd619021bf6b34e3c08ed1e005a", "v6.3.0"),
}


def yaml_files() -> list[Path]:
    return sorted(GITHUB.rglob("*.yml"))


def uses_lines() -> list[tuple[Path, str]]:
    found = []
    for path in yaml_files():
        for line in path.read_text().splitlines():
            match = re.match(r"^\s*(?:- )?uses:\s*(.+?)\s*$", line)
            if match:
                found.append((path, match.group(1)))
    return found


def test_zizmor_offline_finds_nothing() -> None:
    result = subprocess.run(
        [require_tool("zizmor"), "--offline", "--format", "json", "--no-progress", str(GITHUB)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    summary = [(f["ident"], f["determinations"]["severity"]) for f in findings]
    assert summary == [], result.stderr[-2000:]
    assert result.returncode == 0, result.stderr[-2000:]


def test_actionlint_finds_nothing() -> None:
    result = subprocess.run(
        [require_tool("actionlint"), "-no-color"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_third_party_actions_are_pinned_to_verified_commits() -> None:
    third_party = [(p, u) for p, u in uses_lines() if not u.startswith(("$/", "./"))]
    assert third_party, "no third-party actions found: the scan is broken"
    for path, uses in third_party:
        assert PINNED.match(uses), f"{path.relative_to(REPO_ROOT)}: {uses} is not SHA-pinned"
        action, rest = uses.split("@", 1)
        sha, version = rest.split(" # ")
        assert VERIFIED.get(action) == (sha, version), f"{action}@{sha} ({version}) unverified"


def test_our_actions_come_from_the_workflows_own_commit() -> None:
    for path, uses in uses_lines():
        assert not uses.startswith("./"), f"{path.name}: {uses} depends on a checkout; use $/"
    for name in ("preview.yml", "preview-teardown.yml", "preview-gc.yml"):
        text = (GITHUB / "workflows" / name).read_text()
        assert "wildside-ref" not in text and "wildside-repository" not in text, name


def test_no_workflow_hands_secrets_to_fork_code() -> None:
    """pull_request_target runs with secrets on the base; with a checkout of
    the head it runs a fork's code with them. Previews use pull_request."""
    for path in sorted((GITHUB / "workflows").glob("*.yml")):
        document = yaml.safe_load(path.read_text())
        triggers = document.get("on", document.get(True))
        names = set(triggers) if isinstance(triggers, dict) else {str(triggers)}
        assert "pull_request_target" not in names, path.name
        assert "workflow_run" not in names, path.name


def test_every_job_has_a_timeout() -> None:
    for path in sorted((GITHUB / "workflows").glob("*.yml")):
        jobs = yaml.safe_load(path.read_text())["jobs"]
        for name, job in jobs.items():
            if "uses" in job:  # a called workflow sets its own
                continue
            assert isinstance(job.get("timeout-minutes"), int), f"{path.name} {name}"


def locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        match = re.match(r"^([a-z0-9][a-z0-9._-]*)==([^\s]+) \\$", line)
        if match:
            pins[match.group(1)] = match.group(2)
    return pins


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_lock_pins_exactly_the_projects_dependencies_with_hashes() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    pins = locked()
    for requirement in project["dependencies"]:
        name, version = re.split(r"==", requirement)
        name = normal(name.split("[")[0])
        assert pins.get(name) == version, f"{requirement} is not what requirements/cli.txt locks"
    assert {"setuptools", "wheel"} <= pins.keys(), "the build backend must be locked too"
    blocks = re.split(r"\n(?=[a-z0-9])", LOCK.read_text().split("\n\n", 1)[1])
    for block in blocks:
        if block.strip():
            assert "--hash=sha256:" in block, block.splitlines()[0]
    install = (GITHUB / "actions" / "wildside-app" / "install.sh").read_text()
    assert "--require-hashes" in install and "--no-build-isolation" in install


@pytest.mark.slow
def test_the_action_installs_from_the_lock_and_refuses_a_tampered_hash(tmp_path: Path) -> None:
    def install(root: Path) -> subprocess.CompletedProcess[str]:
        runner_temp = tmp_path / f"runner-{root.name}"
        runner_temp.mkdir()
        return install_into(runner_temp, root)

    def install_into(runner_temp: Path, root: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(root / ".github" / "actions" / "wildside-app" / "install.sh")],
            env={
                **os.environ,
                "RUNNER_TEMP": str(runner_temp),
                "WILDSIDE_PIP_CACHE": str(tmp_path / "pip-cache"),
                "GITHUB_PATH": str(tmp_path / f"path-{root.name}"),
            },
            capture_output=True,
            text=True,
            check=False,
        )

    good = install(REPO_ROOT)
    assert good.returncode == 0, good.stderr[-3000:]
    venv_bin = (tmp_path / f"path-{REPO_ROOT.name}").read_text().strip()
    version = subprocess.run(
        [f"{venv_bin}/wildside", "--version"], capture_output=True, text=True, check=False
    )
    assert version.returncode == 0 and version.stdout.startswith("wildside ")

    # A venv restored from the action's cache: used as it is, or, when only the
    # source changed, with just the CLI reinstalled (the dependencies stay).
    venv = Path(venv_bin).parent
    marker = venv / "kept-from-the-cache"
    marker.write_text("")
    again = install_into(venv.parent)
    assert again.returncode == 0, again.stderr[-2000:]
    assert marker.exists()
    (venv / ".wildside-source").write_text("an older commit\n")
    stale = install_into(venv.parent)
    assert stale.returncode == 0, stale.stderr[-2000:]
    assert marker.exists(), "a source change must not rebuild the dependencies"
    assert (venv / ".wildside-source").read_text() != "an older commit\n"

    # a copy of the action and lock whose PyYAML hashes were all replaced
    copy = tmp_path / "tampered"
    for part in (".github/actions/wildside-app", "requirements"):
        (copy / part).parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cp", "-r", str(REPO_ROOT / part), str((copy / part).parent)], check=True)
    lock = copy / "requirements" / "cli.txt"
    text = lock.read_text()
    block = re.search(r"pyyaml==[^\n]+\n(?:\s+--hash=sha256:[0-9a-f]{64}[^\n]*\n)+", text)
    assert block is not None
    forged = re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, block.group(0))
    lock.write_text(text.replace(block.group(0), forged))
    bad = install(copy)
    assert bad.returncode != 0
    assert "THESE PACKAGES DO NOT MATCH THE HASHES" in bad.stderr
