from __future__ import annotations

import subprocess
import sys

from wildside.cli.main import DOMAINS, build


def names(argv: list[str]) -> list[str]:
    return [group.name or "" for group in build(argv).registered_groups]


def test_a_named_domain_loads_alone() -> None:
    assert names(["github", "comment", "--pr", "1"]) == ["github"]


def test_help_and_unknown_commands_list_every_domain() -> None:
    assert names(["--help"]) == list(DOMAINS)
    assert names(["bogus"]) == list(DOMAINS)


def test_a_preview_command_does_not_import_the_platform_renderer() -> None:
    code = (
        "import sys; from wildside.cli.main import build; build(['preview', 'list']); "
        "print('wildside.platform.render' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"
