"""A credential given as a URL's userinfo or as WILDSIDE_GIT_TOKEN reaches the
Git server (a real `git http-backend` over HTTPS) and nothing else: not
stdout, stderr or JSON, not a file in the cache, not the argv of any process
started meanwhile, and the header is sent to the apps repository's URL only."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wildside.gitops.git import Git
from wildside.gitops.location import RepoLocation

from support.git_http import GitServer, git_https_server, make_certificate
from support.github_server import FakeGitHub

TOKEN = "ghs_fakeTokenForRedaction0123456789abcd"  # a fixture, not a credential
HEADER = "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
FORMS = (TOKEN, HEADER.split()[1], f"x-access-token:{TOKEN}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[GitServer]:
    root = tmp_path / "served"
    root.mkdir()
    for name in ("apps.git", "other.git"):
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(root / name)], check=True)
    certificate = make_certificate(tmp_path)
    with git_https_server(root, certificate, HEADER) as running:
        yield running


class ArgvWatcher:
    """Every process command line seen while it runs: a git shim first on PATH
    logs each git call, and /proc is sampled for everything git starts itself."""

    def __init__(self, directory: Path) -> None:
        self.log = directory / "argv.log"
        shim = directory / "shim"
        shim.mkdir()
        real = shutil.which("git")
        (shim / "git").write_text(
            f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{self.log}"\nexec {real} "$@"\n'
        )
        (shim / "git").chmod(0o755)
        self.path = f"{shim}:{os.environ['PATH']}"
        self.seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        argv = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    except (OSError, UnicodeDecodeError):
                        continue
                    # the user's own `wildside --repo URL` carries what they typed
                    if "bin/wildside " not in argv:
                        self.seen.add(argv)
            self._stop.wait(0.002)

    def __enter__(self) -> ArgvWatcher:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def text(self) -> str:
        logged = self.log.read_text() if self.log.exists() else ""
        return logged + "\n".join(self.seen)


def files_under(root: Path) -> Iterator[tuple[Path, bytes]]:
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            yield path, path.read_bytes()


def assert_no_secret(where: str, text: str | bytes) -> None:
    for form in FORMS:
        needle: str | bytes = form.encode() if isinstance(text, bytes) else form
        assert needle not in text, f"{where} holds the credential ({form[:12]}...)"


@pytest.mark.parametrize("style", ["userinfo", "token"])
def test_the_credential_reaches_the_server_and_nothing_else(
    style: str, server: GitServer, cli: Any, tmp_path: Path, isolated_cache: Path
) -> None:
    github = FakeGitHub().start()
    github.pulls = {7: "open", 9: "closed"}  # gc removes pr-9 and says so
    try:
        check_every_channel(style, server, cli, tmp_path, isolated_cache, github)
    finally:
        github.stop()


def check_every_channel(
    style: str,
    server: GitServer,
    cli: Any,
    tmp_path: Path,
    isolated_cache: Path,
    github: FakeGitHub,
) -> None:
    plain = server.url("apps.git")
    repo = server.url("apps.git", f"x-access-token:{TOKEN}") if style == "userinfo" else plain
    env = {"GIT_SSL_CAINFO": str(server.certificate), "CI": "true"}
    if style == "token":
        env["WILDSIDE_GIT_TOKEN"] = TOKEN
    missing = repo.replace("apps.git", "missing.git")
    outputs: list[tuple[str, Any]] = []
    with ArgvWatcher(tmp_path) as watcher:
        env["PATH"] = watcher.path
        runs = [
            ("apps", "init", "--repo", repo),
            ("preview", "up", "--pr", "7", "--sha", "abcdef0", "--repo", repo, "--json"),
            ("preview", "up", "--pr", "7", "--sha", "abcdef0", "--repo", repo),
            ("preview", "up", "--pr", "9", "--sha", "abcdef0", "--repo", repo, "--quiet"),
            ("preview", "list", "--repo", repo, "--json"),
            ("preview", "gc", "--repo", repo, "--dry-run"),
            ("preview", "gc", "--repo", repo, "--json"),
            ("preview", "down", "--pr", "7", "--repo", repo, "--json"),
        ]
        for args in runs:
            result = cli(*args, env={**env, **github.env()})
            assert result.returncode == 0, result.stderr
            outputs.append((" ".join(args[:2]), result))
        from_env = cli("preview", "list", env={**env, "WILDSIDE_APPS_REPO": repo})
        assert from_env.returncode == 0, from_env.stderr
        failed = cli("preview", "up", "--pr", "8", "--sha", "abcdef0", "--repo", missing, env=env)
        assert failed.returncode == 1
        assert failed.stderr.startswith("wildside: error: ")
        assert f"https://127.0.0.1:{server.port}/missing.git" in failed.stderr
        outputs += [("WILDSIDE_APPS_REPO", from_env), ("failed fetch", failed)]

    assert outputs[1][1].json()["repo"] == plain
    gc_run = outputs[6][1]  # preview gc --json
    assert gc_run.json()["repo"] == plain
    assert [entry["pr"] for entry in gc_run.json()["remove"]] == [9]
    for name, result in outputs:
        assert_no_secret(f"stdout of {name}", result.stdout)
        assert_no_secret(f"stderr of {name}", result.stderr)
    assert "syncing https://127.0.0.1" in outputs[0][1].stderr  # progress was shown, redacted
    for path, content in files_under(isolated_cache):
        assert_no_secret(str(path), content)
    assert_no_secret("a process's argv", watcher.text())
    assert "http-backend" not in watcher.log.read_text()
    assert server.seen and all(seen == HEADER for seen in server.seen)
    log = subprocess.run(
        ["git", "--git-dir", str(server.root / "apps.git"), "log", "--format=%s", "main"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert log.stdout.splitlines()[0] == "preview: remove pr-7"


def test_the_header_is_scoped_to_the_apps_repository(server: GitServer) -> None:
    git = Git(None, url=server.url("apps.git", f"x-access-token:{TOKEN}"))
    env = {**git.env, "GIT_SSL_CAINFO": str(server.certificate)}
    other = subprocess.run(
        ["git", "ls-remote", server.url("other.git")], env=env, capture_output=True, check=False
    )
    assert other.returncode != 0
    assert server.seen and all(seen == "" for seen in server.seen)
    server.seen.clear()
    apps = subprocess.run(
        ["git", "ls-remote", server.url("apps.git")], env=env, capture_output=True, check=False
    )
    assert apps.returncode == 0, apps.stderr
    assert server.seen and all(seen == HEADER for seen in server.seen)


def test_a_redirect_to_another_host_does_not_carry_the_header(
    server: GitServer, cli: Any, tmp_path: Path, isolated_cache: Path
) -> None:
    """The apps repository answers 301 to another server (a renamed or moved
    repository). Git, left to itself, sends the header with every request after
    the redirect; with credentials it follows none, and says it was moved."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    subprocess.run(
        ["git", "init", "-q", "--bare", "-b", "main", str(elsewhere / "apps.git")], check=True
    )
    with git_https_server(elsewhere, server.certificate, None) as other:
        server.moved["/apps.git"] = f"https://localhost:{other.port}/apps.git"
        git = Git(None, url=server.url("apps.git", f"x-access-token:{TOKEN}"))
        env = {**git.env, "GIT_SSL_CAINFO": str(server.certificate)}
        listed = subprocess.run(
            ["git", "ls-remote", server.url("apps.git")], env=env, capture_output=True, check=False
        )
        refused = cli(
            "preview",
            "list",
            "--repo",
            server.url("apps.git"),
            env={"WILDSIDE_GIT_TOKEN": TOKEN, "GIT_SSL_CAINFO": str(server.certificate)},
        )
    assert refused.returncode == 1
    assert "redirect" in refused.stderr and "give its new URL" in refused.stderr
    assert_no_secret("stderr", refused.stderr)
    assert listed.returncode != 0
    assert b"301" in listed.stderr or b"redirect" in listed.stderr.lower(), listed.stderr
    assert server.seen and all(seen == HEADER for seen in server.seen)
    assert all(seen == "" for seen in other.seen), other.seen


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        (
            "https://x-access-token:s3cr3t-value@github.com/acme/apps.git",
            "https://github.com/acme/apps.git",
        ),
        ("https://s3cr3t-value@github.com/acme/apps.git", "https://github.com/acme/apps.git"),
        ("http://user:pass-word@host:8080/apps.git", "http://host:8080/apps.git"),
        ("ssh://git:pass-word@host/apps.git", "ssh://host/apps.git"),
        ("git@github.com:acme/apps.git", "git@github.com:acme/apps.git"),
    ],
)
def test_every_displayed_url_is_redacted(given: str, shown: str) -> None:
    assert RepoLocation(url=given, branch=None).display == shown


def test_errors_name_the_repository_without_its_credential(cli: Any) -> None:
    repo = f"https://x-access-token:{TOKEN}@127.0.0.1:9/acme/apps.git"
    result = cli("preview", "list", "--repo", repo)
    assert result.returncode == 1
    assert "https://127.0.0.1:9/acme/apps.git" in result.stderr
    assert_no_secret("stderr", result.stderr)
