"""The CLI's edges: usage errors, --version, help layout, refused values."""

from __future__ import annotations

import io
import subprocess
from contextlib import redirect_stdout
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from typer.core import TyperGroup

from wildside.cli.main import HELP_WIDTH, command, main
from wildside.gitops.git import failure_detail


def every_command() -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(node: object, path: list[str]) -> None:
        paths.append(path)
        if isinstance(node, TyperGroup):
            for name, sub in node.commands.items():
                walk(sub, [*path, name])

    walk(command([]), [])
    return paths


def one_line_usage_error(outcome: Any) -> str:
    assert outcome.code == 2, outcome
    assert outcome.stdout == ""
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, outcome
    assert lines[0].startswith("wildside: error: ")
    assert "Traceback" not in lines[0] and "╭" not in lines[0]
    return str(lines[0])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "needs a command: one of apps, db, github, platform, preview, vault"),
        (["preview"], "`wildside preview` needs a command: one of down, gc, list, up"),
        (["bogus"], "No such command 'bogus'"),
        (["preview", "up"], "Missing option '--pr'"),
        (["preview", "list", "extra"], "unexpected extra argument"),
        (["preview", "down", "--pr"], "Option '--pr' requires an argument"),
        (["preview", "up", "--max-previews", "many", "--pr", "1", "--sha", "abcdef1"], "'many'"),
        (["db", "create", "--strategy", "xerox", "--pr", "1"], "'xerox'"),
        (["github", "comment", "--bogus"], "No such option: --bogus"),
        (["preview", "--version"], "No such option: --version"),
    ],
)
def test_every_usage_error_is_one_line_with_exit_2(
    run: Any, args: list[str], expected: str
) -> None:
    line = one_line_usage_error(run(*args))
    assert expected in line
    assert "--help" in line  # and says where to look


def test_a_usage_error_points_at_the_help_of_its_command(run: Any) -> None:
    line = one_line_usage_error(run("preview", "down", "--pr"))
    assert line.endswith("(see `wildside preview down --help`)")


def test_version_comes_from_the_package_metadata(run: Any) -> None:
    outcome = run("--version")
    assert outcome.code == 0
    assert outcome.stdout == f"wildside {metadata.version('wildside')}\n"


def test_the_console_script_prints_usage_errors_in_one_line(tmp_path: Path) -> None:
    from support.tools import require_tool

    completed = subprocess.run(
        [require_tool("wildside"), "preview", "up", "--sha", "abcdef1"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "40"},
    )
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1
    assert "Missing option '--pr'" in completed.stderr


@pytest.mark.parametrize("path", every_command(), ids=lambda p: " ".join(p) or "wildside")
def test_help_fits_80_columns_whatever_the_terminal(
    path: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = []
    for columns in ("80", "200", "30"):
        monkeypatch.setenv("COLUMNS", columns)
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            assert main([*path, "--help"]) == 0
        texts.append(buffer.getvalue())
    assert texts[0] == texts[1] == texts[2], "help depends on the terminal width"
    text = texts[0]
    assert all(len(line) <= HELP_WIDTH for line in text.splitlines())
    for placeholder in ("<bool>", "BOOLEAN", "╭"):  # ╭: a rich box (which cuts with …)
        assert placeholder not in text
    # No sentence cut short: click's truncation ends a summary in "...".
    cut = [line for line in text.splitlines() if line.rstrip().endswith("...")]
    assert not [line for line in cut if not line.startswith("Usage:")]


def test_command_lists_keep_whole_first_sentences() -> None:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        main(["db", "--help"])
    assert "Drop a preview database (sessions terminated first), its role and" in buffer.getvalue()


def test_a_repo_starting_with_a_dash_is_refused_before_git(run: Any) -> None:
    for value in ("-x", "--upload-pack=touch pwned@x:y", "-"):
        line = one_line_usage_error(run("preview", "list", f"--repo={value}"))
        assert repr(value) in line
    assert not Path("pwned").exists()


def test_a_bad_push_attempts_variable_is_refused(
    run: Any, bare_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for value in ("abc", "0", "-3", "²", "99999999999999999999"):
        monkeypatch.setenv("WILDSIDE_PUSH_ATTEMPTS", value)
        line = one_line_usage_error(run("apps", "init", "--repo", str(bare_repo)))
        assert "WILDSIDE_PUSH_ATTEMPTS" in line and repr(value) in line


def test_an_absurd_ttl_is_refused(run: Any, bare_repo: Path) -> None:
    for value in ("99999999999999d", "9" * 400 + "w"):
        line = one_line_usage_error(
            run(
                "preview",
                "up",
                "--pr",
                "1",
                "--sha",
                "abcdef1",
                "--ttl",
                value,
                "--repo",
                str(bare_repo),
            )
        )
        assert "--ttl" in line


def test_git_errors_quote_what_git_said() -> None:
    stderr = (
        "fatal: '/nowhere' does not appear to be a git repository\n"
        "fatal: Could not read from remote repository.\n\n"
        "Please make sure you have the correct access rights\n"
        "and the repository exists.\n"
    )
    assert failure_detail(stderr) == (
        "'/nowhere' does not appear to be a git repository; Could not read from remote repository."
    )
    push = (
        "To /srv/apps.git\n"
        "!\trefs/heads/main:refs/heads/main\t[remote rejected] (pre-receive hook declined)\n"
        "Done\n"
        "remote: error: protected branch\n"
        "error: failed to push some refs to '/srv/apps.git'\n"
    )
    detail = failure_detail(push)
    assert "pre-receive hook declined" in detail
    assert "protected branch" in detail
    assert failure_detail("hint: advice\nsomething broke\n") == "something broke"
    assert failure_detail("") == "no output"


def test_a_fetch_from_a_missing_repository_says_why(run: Any, tmp_path: Path) -> None:
    outcome = run("preview", "list", "--repo", f"file://{tmp_path}/missing.git")
    assert outcome.code == 1
    assert "does not appear to be a git repository" in outcome.stderr
    assert outcome.stderr.count("\n") == 1


def test_a_state_file_that_is_a_directory_is_refused(run: Any, tmp_path: Path) -> None:
    line = one_line_usage_error(run("vault", "bootstrap", "--state-file", str(tmp_path)))
    assert "--state-file" in line and "vault-state.json" in line


@pytest.mark.parametrize(
    ("variable", "value", "code"),
    [
        ("GITHUB_API_URL", "http://[::1", 2),
        ("GITHUB_API_URL", "ftp://x", 2),
        ("WILDSIDE_GITHUB_MAX_SLEEP", "nan", 2),
        ("WILDSIDE_GITHUB_MAX_SLEEP", "-1e400", 2),
        ("WILDSIDE_GITHUB_MAX_SLEEP", "soon", 2),
    ],
)
def test_bad_github_settings_are_one_line(
    run: Any, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, code: int
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    monkeypatch.setenv(variable, value)
    outcome = run("github", "deployment", "--pr", "1", "--state", "inactive", "--repository", "a/b")
    assert outcome.code == code, outcome
    assert outcome.stderr.count("\n") == 1 and variable in outcome.stderr


def test_an_unusable_cache_directory_is_one_line(
    run: Any, bare_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("WILDSIDE_CACHE_DIR", str(blocker))
    outcome = run("preview", "list", "--repo", str(bare_repo))
    assert outcome.code == 1, outcome
    assert outcome.stderr.count("\n") == 1 and str(blocker) in outcome.stderr
