"""No input produces a traceback: for every command, hypothesis draws values
for its options (valid ones, near misses and arbitrary text) and for the
environment variables the CLI reads (local near misses), and the command,
run in-process, must end with exit code 0, 1 or 2 and print no traceback.

Nothing leaves the machine: Vault, GitHub and PostgreSQL are closed loopback
ports, a repository is the local bare fixture or a relative path, and paths
never leave the test's directory. WILDSIDE_PROPERTY_EXAMPLES sets the number
of examples per command (default 40: a few seconds each)."""

from __future__ import annotations

import json
import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.core import TyperGroup

from wildside.cli.main import command

from support.platform_tree import EXAMPLES

EXAMPLES_PER_COMMAND = int(os.environ.get("WILDSIDE_PROPERTY_EXAMPLES", "40"))
SHA = "0123456789abcdef0123456789abcdef01234567"

# Arbitrary text, as a shell can pass it (no NUL byte, no lone surrogate).
ANY_TEXT = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40
)
# Text that can never name a network location or a path outside the test directory.
LOCAL_TEXT = st.text(
    st.characters(
        exclude_categories=("Cs",), exclude_characters="\x00/\\:@~=", max_codepoint=0x2FF
    ),
    max_size=24,
).filter(lambda text: text not in (".", ".."))
INTEGER_TEXT = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["", "0", "-1", "1e3", "0x10", "²", " 7 ", "nan"]),
)
FLOAT_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["0.5", "1", "-0.1", "1e400", "abc", ""]),
)

# Options whose value reaches the network, the file system or a subprocess:
# only local, test-owned values (plus arbitrary *local* text).
NEVER_DRAWN = {"--ssh-check"}  # would ssh to the loopback Vault address


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class World:
    """What the drawn values may point at, laid out once per command."""

    root: Path
    apps: Path
    config_dir: Path
    tofu: Path
    garbage: Path
    directory: Path
    closed_dsn: str


def _samples(world: World) -> dict[str, list[str]]:
    """Meaningful values per option, so that examples get past the first check."""
    files = [str(world.garbage), str(world.tofu), "missing.file", str(world.directory)]
    return {
        "--pr": ["1", "7", "42", "99999999", "0", "-3", "abc"],
        "--sha": [SHA, "abcdef1", "ABCDEF1", "xyz", "abc1234\nkind: Secret"],
        "--image": ["backend=ghcr.io/acme/api", "frontend=Bad Image", "ghcr.io/a/b", "=x"],
        "--preview-domain": ["previews.example.com", "bad_domain", "x.com\n evil: true"],
        "--ttl": ["72h", "7d", "99999999999999d", "forever", "0h", "1m"],
        "--repo": [str(world.apps), "missing.git", "-x", "--upload-pack=x", str(world.directory)],
        "--branch": ["main", "previews", "-evil", "a..b", "x/", "über"],
        "--repository": ["acme/wildside", "a/b", "../x", "nobody"],
        "--seed-secrets-from": ["wildside/apps/staging", "../etc", "data/x"],
        "--generate-secret": ["SESSION_KEY", "1BAD"],
        "--max-previews": ["1", "0", "-1", "1000000000000000000000"],
        "--size": ["2", "0", "-1", "1000000"],
        "--port": ["8200", "0", "70000"],
        "--shares": ["5", "0", "11"],
        "--threshold": ["3", "0", "6"],
        "--init-timeout": ["60", "0", "1e400"],
        "--max-deletions": ["0", "10", "-5"],
        "--max-fraction": ["0.5", "1.5", "-1", "nan"],
        "--dsn": [world.closed_dsn, "not a dsn", "host=127.0.0.1 password=x", "postgresql://"],
        "--template": ["wildside_template", "Bad-Name", "x" * 70],
        "--app-host": ["db.internal:5432", "::1", "x:y:z"],
        "--credentials-dir": [str(world.directory), str(world.garbage), "creds"],
        "--migrations": [str(world.directory), *files],
        "--seed": files,
        "--dump": files,
        "--state-file": [str(world.directory), str(world.garbage), "state.json"],
        "--cluster-config": [str(world.config_dir / "dev.yaml"), str(world.garbage)],
        "--apps-config": [str(world.garbage), "missing.yaml"],
        "--values": [str(world.garbage), "missing.yaml"],
        "--values-template": [str(world.garbage), "missing.yaml"],
        "--keep-tombstones": ["30d", "forever"],
        "--ca-file": files,
        "--kubernetes-ca-file": files,
        "--kubernetes-host": ["https://k8s.example.com:6443", "not a url"],
        "--kv-mount": ["secret", "a/b", "../x", "KV"],
        "--environment": ["dev", "Bad_Env"],
        "--url": ["https://pr-1.previews.example.com", "http://x", "javascript:alert(1)"],
        "--run-url": ["https://github.com/acme/wildside/actions/runs/1", "ftp://x"],
        "--cluster": ["dev", "staging", "qa", "Bad_Name"],
        "--config-dir": [str(world.config_dir), str(world.garbage), "missing"],
        "--tofu-outputs": [str(world.tofu), str(world.garbage), "missing.json"],
        "--output": ["out", str(world.garbage), "tree"],
        "--app": ["wildside", "Bad_App"],
        "--chart-url": ["oci://ghcr.io/acme/charts", "https://charts.example.com", "ftp://x"],
        "--production-host": ["www.example.com", "bad host"],
        "--staging-host": ["staging.example.com", "-x-.example.com"],
    }


LOCAL_ONLY = {
    "--repo",
    "--dsn",
    "--credentials-dir",
    "--migrations",
    "--seed",
    "--dump",
    "--state-file",
    "--ca-file",
    "--kubernetes-ca-file",
    "--config-dir",
    "--tofu-outputs",
    "--output",
    "--state-gpg-recipient",
}


def _value(option: Any, samples: dict[str, list[str]]) -> st.SearchStrategy[str]:
    name = option.opts[0]
    annotation = option.type_descriptor.annotation
    drawn: list[st.SearchStrategy[str]] = []
    if name in samples:  # the first sample is valid: favour it, so examples get far
        drawn.extend([st.just(samples[name][0])] * 6 + [st.sampled_from(samples[name])])
    choices = option.type_descriptor.choices
    if choices:
        drawn.append(st.sampled_from([str(getattr(c, "value", c)) for c in choices]))
    if annotation is int:
        drawn.append(INTEGER_TEXT)
    elif annotation is float:
        drawn.append(FLOAT_TEXT)
    local = name in LOCAL_ONLY or "Path" in str(annotation)  # any path: never outside the test
    drawn.append(LOCAL_TEXT if local else ANY_TEXT)
    return st.one_of(*drawn)


@st.composite
def _argv(draw: st.DrawFn, path: list[str], leaf: Any, samples: dict[str, list[str]]) -> list[str]:
    argv = list(path)
    for option in leaf.params:
        name = option.opts[0]
        if name in NEVER_DRAWN or name == "--help":
            continue
        if not draw(st.floats(0, 1)) < (0.95 if option.required else 0.3):
            continue
        if option.is_flag:
            argv.append(
                name
                if not option.secondary_opts or draw(st.booleans())
                else option.secondary_opts[0]
            )
            continue
        for _ in range(draw(st.integers(1, 2)) if option.multiple else 1):
            value = draw(_value(option, samples))
            # both spellings: a value starting with '-' needs the `=` form to be a value at all
            argv.extend([f"{name}={value}"] if draw(st.booleans()) else [name, value])
    if draw(st.integers(0, 19)) == 19:  # hypothesis favours 0: make the rare case the large one
        argv.append(draw(st.sampled_from(["extra", "--bogus", "-", "--"])))
    return argv


def _leaves() -> list[tuple[list[str], Any]]:
    found: list[tuple[list[str], Any]] = []

    def walk(node: Any, path: list[str]) -> None:
        if isinstance(node, TyperGroup):
            for name, sub in node.commands.items():
                walk(sub, [*path, name])
        else:
            found.append((path, node))

    walk(command([]), [])
    return found


LEAVES = _leaves()


def _environment(world: World) -> st.SearchStrategy[dict[str, str]]:
    """Settings that come from the environment rather than options: usually
    the world's defaults, sometimes a local-only near miss."""
    closed = f"http://127.0.0.1:{unused_port()}"
    choices = {
        "WILDSIDE_PUSH_ATTEMPTS": ["2", "abc", "0", "99999999999999999999"],
        "WILDSIDE_GITHUB_MAX_SLEEP": ["0", "nan", "-1", "soon"],
        "GITHUB_API_URL": [closed, "http://[::1", "ftp://x", ""],
        "VAULT_ADDR": [closed, "garbage", "http://[::1"],  # never unset: that means discovery
        "WILDSIDE_APPS_REPO": [str(world.apps), "-x", "missing.git"],
        "WILDSIDE_DB_DSN": [world.closed_dsn, "not a dsn", ""],
        "WILDSIDE_CACHE_DIR": [os.environ["WILDSIDE_CACHE_DIR"], str(world.garbage)],
        "WILDSIDE_SEED_ALLOW": ["wildside/apps/staging", "[[", ""],
    }
    return st.fixed_dictionaries(
        {},
        optional={name: st.sampled_from(values) for name, values in choices.items()},
    )


@pytest.fixture
def world(offline_env: Path, bare_repo: Path, run: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    root = offline_env
    assert run("apps", "init", "--repo", str(bare_repo), "-q").code == 0
    config_dir = root / "clusters"
    shutil.copytree(EXAMPLES, config_dir)
    tofu = root / "outputs.json"
    tofu.write_text(json.dumps({"cluster_name": {"value": "dev"}}))
    garbage = root / "garbage.bin"
    garbage.write_bytes(b"\xff\xfe{not: [valid\x00")
    directory = root / "a-directory"
    directory.mkdir()
    closed_dsn = f"postgresql://postgres@127.0.0.1:{unused_port()}/postgres"
    monkeypatch.setenv("WILDSIDE_DB_DSN", closed_dsn)
    monkeypatch.setenv("VAULT_TOKEN", "test-token")
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/wildside")
    monkeypatch.setenv("WILDSIDE_GITHUB_MAX_SLEEP", "0")
    monkeypatch.setenv("WILDSIDE_PUSH_ATTEMPTS", "2")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(root / "summary.md"))
    return World(root, bare_repo, config_dir, tofu, garbage, directory, closed_dsn)


@pytest.mark.parametrize(("path", "leaf"), LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_no_input_produces_a_traceback(path: list[str], leaf: Any, world: World, run: Any) -> None:
    samples = _samples(world)

    @settings(
        max_examples=EXAMPLES_PER_COMMAND,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(argv=_argv(path, leaf, samples), env=_environment(world))
    def check(argv: list[str], env: dict[str, str]) -> None:
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update(env)
        try:
            outcome = run(*argv)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        assert outcome.code in (0, 1, 2), (argv, env, outcome)
        assert "Traceback" not in outcome.output, (argv, env, outcome)
        if outcome.code != 0:
            errors = [x for x in outcome.stderr.splitlines() if x.startswith("wildside:")]
            assert len(errors) <= 1, (argv, env, outcome.stderr)

    check()
