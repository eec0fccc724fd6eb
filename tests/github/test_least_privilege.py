"""The preview job's write scope, enforced by the CLI itself: with
WILDSIDE_WRITE_ONLY_UNDER=overlays/ephemeral (what the wildside-app action
sets for every pull-request command) previews are written and removed, but
a change anywhere else — base/, overlays/production/, wildside.yaml — is
refused before a commit exists. The token's own limits (a branch of its own,
a ruleset) are GitHub's to enforce; docs/github.md shows the setup."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

SHA = "c" * 40
SCOPE = {"WILDSIDE_WRITE_ONLY_UNDER": "overlays/ephemeral"}


def tip(repo: Path) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(repo), "rev-parse", "--verify", "-q", "refs/heads/main"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()


def test_the_preview_scope_writes_previews_and_nothing_else(cli: Any, bare_repo: Path) -> None:
    refused = cli("apps", "init", "--repo", str(bare_repo), "-q", env=SCOPE)
    assert refused.returncode == 2, refused.stderr
    assert "outside WILDSIDE_WRITE_ONLY_UNDER=overlays/ephemeral" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert tip(bare_repo) == "", "a refused write pushed a commit"

    assert cli("apps", "init", "--repo", str(bare_repo), "-q").returncode == 0
    before = tip(bare_repo)
    up = cli("preview", "up", "--pr", "3", "--sha", SHA, "--repo", str(bare_repo), "-q", env=SCOPE)
    assert up.returncode == 0, up.stderr
    assert tip(bare_repo) != before
    down = cli("preview", "down", "--pr", "3", "--repo", str(bare_repo), "-q", env=SCOPE)
    assert down.returncode == 0, down.stderr

    # the production overlay's settings are out of reach: re-initialising with
    # another preview domain would rewrite wildside.yaml
    production = cli(
        "apps",
        "init",
        "--repo",
        str(bare_repo),
        "--preview-domain",
        "evil.example",
        "-q",
        env=SCOPE,
    )
    assert production.returncode == 2 and "wildside.yaml" in production.stderr


def test_a_malformed_scope_is_bad_input(cli: Any, bare_repo: Path) -> None:
    for value in ("../base", ".git", ",,"):
        result = cli(
            "preview",
            "up",
            "--pr",
            "3",
            "--sha",
            SHA,
            "--repo",
            str(bare_repo),
            "-q",
            env={"WILDSIDE_WRITE_ONLY_UNDER": value},
        )
        assert result.returncode == 2, (value, result.stderr)
        assert "WILDSIDE_WRITE_ONLY_UNDER" in result.stderr
