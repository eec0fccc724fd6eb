"""The contract between the cluster root and `wildside platform render --tofu-outputs FILE`.

infra/renderer-contract.json lists every cluster-root output the renderer reads (`outputs`)
and the outputs meant for people only (`operator_outputs`). Together they must be exactly
the cluster root's outputs, and infra/README.md must document the same names and types.
"""

from __future__ import annotations

import re

from support.infra_hcl import CLUSTER_ROOT, INFRA, contract, load_dir, unquote

TYPES = {"string", "number", "bool", "list", "map", "object"}


def test_contract_file_is_well_formed() -> None:
    data = contract()
    assert data["root"] == "infra/clusters"
    assert data["outputs"], "the renderer reads at least one output"
    for name, spec in data["outputs"].items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
        assert spec["type"] in TYPES, f"{name}: type {spec['type']!r}"
        assert len(spec["description"]) > 10, name
    assert not set(data["outputs"]) & set(data["operator_outputs"])


def test_every_renderer_output_exists_in_the_cluster_root() -> None:
    root_outputs = set(load_dir(CLUSTER_ROOT).outputs)
    missing = set(contract()["outputs"]) - root_outputs
    assert not missing, f"the renderer reads outputs the cluster root lacks: {sorted(missing)}"


def test_every_cluster_root_output_is_in_the_contract() -> None:
    data = contract()
    documented = set(data["outputs"]) | set(data["operator_outputs"])
    extra = set(load_dir(CLUSTER_ROOT).outputs) - documented
    assert not extra, f"cluster root outputs missing from renderer-contract.json: {sorted(extra)}"


def test_renderer_outputs_are_never_sensitive_and_are_marked_in_the_root() -> None:
    outputs = load_dir(CLUSTER_ROOT).outputs
    for name in contract()["outputs"]:
        assert outputs[name].get("sensitive") is not True, f"{name}: the renderer refuses secrets"
        assert unquote(outputs[name]["description"]).startswith("[renderer] "), name
    for name, spec in contract()["operator_outputs"].items():
        assert bool(outputs[name].get("sensitive")) is spec["sensitive"], name
        assert unquote(outputs[name]["description"]).startswith("[operator] "), name


def test_infra_readme_documents_the_same_contract() -> None:
    readme = (INFRA / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Renderer contract", 1)[1].split("\n## ", 1)[0]
    section = section.split("are **not** for the renderer", 1)[0]
    rows = dict(re.findall(r"^\| `([a-z0-9_]+)` \| `?(\w+)`? \|", section, flags=re.MULTILINE))
    expected = {name: spec["type"] for name, spec in contract()["outputs"].items()}
    assert rows == expected
