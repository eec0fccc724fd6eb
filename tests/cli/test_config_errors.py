"""A bad configuration file is bad input: whatever the field and whichever
check refuses it, the error is one line naming the file and the field, exit 2."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.platform_tree import EXAMPLES

SHA = "0123456789abcdef0123456789abcdef01234567"


def one_line(outcome: Any) -> str:
    assert outcome.code == 2, outcome
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, outcome.stderr
    assert lines[0].startswith("wildside: error: ")
    return str(lines[0])


# --- wildside.yaml in the apps repository -------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            document = document.setdefault(key, {})
        document[last] = value

    return change


APPS_CORRUPTIONS = [
    ("app", _set("app", "Not_A_Label")),  # a wildside check inside a validator
    ("preview_domain", _set("preview_domain", "no dots")),
    ("preview_ttl", _set("preview_ttl", "forever")),
    ("production_host", _set("production_host", "-bad-.example.com")),
    ("images", _set("images", {"backend": "Not An Image"})),
    ("quota.pods", _set("quota.pods", "many")),  # a pydantic type error
    ("quota.requests_cpu", _set("quota.requests_cpu", "lots")),
    ("chart.url", _set("chart.url", ["a", "list"])),
    ("surprise", _set("surprise", True)),  # an unknown key
    ("kind", _set("kind", "something-else")),
]


@pytest.fixture
def apps_repo(bare_repo: Path, run: Any) -> Path:
    assert run("apps", "init", "--repo", str(bare_repo), "--quiet").code == 0
    return bare_repo


def _commit_config(remote: Path, work: Path, text: str) -> None:
    subprocess.run(["git", "clone", "-q", str(remote), str(work)], check=True)
    (work / "wildside.yaml").write_text(text)
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "commit", "-qam", "corrupt"], check=True)
    subprocess.run([*git, "push", "-q", "origin", "HEAD"], check=True)


@pytest.mark.parametrize(
    ("field", "change"), APPS_CORRUPTIONS, ids=[c[0] for c in APPS_CORRUPTIONS]
)
def test_a_corrupt_wildside_yaml_names_the_file_and_field(
    apps_repo: Path, run: Any, tmp_path: Path, field: str, change: Any
) -> None:
    work = tmp_path / "edit"
    subprocess.run(["git", "clone", "-q", str(apps_repo), str(work)], check=True)
    document = yaml.safe_load((work / "wildside.yaml").read_text())
    change(document)
    shutil.rmtree(work)
    _commit_config(apps_repo, work, yaml.safe_dump(document))
    line = one_line(run("preview", "up", "--pr", "1", "--sha", SHA, "--repo", str(apps_repo), "-q"))
    assert "wildside.yaml" in line
    assert f" {field}" in line or f"{field}:" in line, line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("app: [unclosed\n", "not valid YAML"),
        ("app: a\n---\napp: b\n", "2 YAML documents"),
        ("- just\n- a list\n", "wildside.yaml"),
    ],
)
def test_a_wildside_yaml_that_is_not_one_mapping_is_bad_input(
    apps_repo: Path, run: Any, tmp_path: Path, text: str, expected: str
) -> None:
    _commit_config(apps_repo, tmp_path / "edit", text)
    line = one_line(run("preview", "up", "--pr", "1", "--sha", SHA, "--repo", str(apps_repo), "-q"))
    assert "wildside.yaml in the apps repository" in line and expected in line


# --- cluster configuration files ---------------------------------------------------------


CLUSTER_CORRUPTIONS = [
    ("preview_domain", _set("preview_domain", "not a domain")),
    ("region", _set("region", "X")),
    ("hosts_previews", _set("hosts_previews", "sometimes")),
    ("dns.token_path", _set("dns.token_path", "data/../x")),
    ("vault.kv_mount", _set("vault.kv_mount", "a b")),
    ("vault.auth_mount", _set("vault.auth_mount", "../up")),
    ("vault.role", _set("vault.role", "Role_With_Caps")),
    ("apps.branch", _set("apps.branch", "-evil")),
    ("apps.branch", _set("apps.branch", "a..b")),
    ("apps.credentials_path", _set("apps.credentials_path", "/data/secret")),
    ("components.cert-manager.acme_email", _set("components.cert-manager.acme_email", "nobody")),
    ("components.redis.password_path", _set("components.redis.password_path", "a//b")),
    ("components.traefik.replicas", _set("components.traefik.replicas", "lots")),
    ("components.monitoring.grafana_host", _set("components.monitoring.grafana_host", "x y")),
    (
        "components.monitoring.receiver.email_to",
        _set("components.monitoring.receiver", {"kind": "email", "email_to": "not-an-address"}),
    ),
    ("components.mystery", _set("components.mystery", {})),
]


@pytest.mark.parametrize(
    ("field", "change"),
    CLUSTER_CORRUPTIONS,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CLUSTER_CORRUPTIONS)],
)
def test_a_corrupt_cluster_file_names_the_file_and_field(
    run: Any, tmp_path: Path, field: str, change: Any
) -> None:
    config_dir = tmp_path / "clusters"
    shutil.copytree(EXAMPLES, config_dir)
    path = config_dir / "dev.yaml"
    document = yaml.safe_load(path.read_text())
    change(document)
    path.write_text(yaml.safe_dump(document))
    output = tmp_path / "out"
    line = one_line(
        run(
            "platform",
            "render",
            "--cluster",
            "dev",
            "--config-dir",
            str(config_dir),
            "--output",
            str(output),
        )
    )
    assert str(path) in line
    leaf = field.rsplit(".", 1)[-1]
    assert leaf in line, line
    assert not output.exists()


def test_apps_init_names_its_options_not_the_file_fields(run: Any, bare_repo: Path) -> None:
    for option, value in (
        ("--preview-domain", "no dots"),
        ("--app", "Bad_App"),
        ("--ttl", "forever"),
        ("--staging-host", "x y"),
    ):
        line = one_line(run("apps", "init", "--repo", str(bare_repo), option, value))
        assert f"{option} {value!r}" in line
