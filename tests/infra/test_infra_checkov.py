"""checkov on infra/: no failed check, and every accepted one documented with its reason."""

from __future__ import annotations

import re
from typing import Any

from support.infra_hcl import INFRA


def _accepted() -> set[tuple[str, str]]:
    table = (INFRA / "checkov-accepted.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(CKV\w+)` \| `([\w.]+)`.*\| (.{20,}) \|$", table, flags=re.MULTILINE)
    return {(check, resource) for check, resource, _reason in rows}


def _resource_type_and_name(address: str) -> str:
    # module.x.digitalocean_droplet.node[0] -> digitalocean_droplet.node
    parts = re.sub(r"\[[^\]]*\]", "", address).split(".")
    return ".".join(parts[-2:])


def test_checkov_scanned_the_infra_resources(checkov_report: dict[str, Any]) -> None:
    summary = checkov_report["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] > 20
    assert summary["passed"] > 0


def test_checkov_reports_no_failed_check(checkov_report: dict[str, Any]) -> None:
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}"
        for c in checkov_report["results"]["failed_checks"]
    ]
    assert not failed, "fix these or accept them in infra/checkov-accepted.md:\n" + "\n".join(
        failed
    )


def test_every_skipped_check_is_documented_with_a_reason(checkov_report: dict[str, Any]) -> None:
    skipped = {
        (c["check_id"], _resource_type_and_name(c["resource"]))
        for c in checkov_report["results"]["skipped_checks"]
    }
    for check in checkov_report["results"]["skipped_checks"]:
        comment = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(comment) > 20, f"{check['check_id']} skipped without a reason"
    assert skipped == _accepted()
