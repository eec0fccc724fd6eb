"""Structural checks of every module, example and root under infra/ (parsed with python-hcl2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support.infra_hcl import (
    INFRA,
    MODULE_META_ARGUMENTS,
    MODULE_NAMES,
    MODULES_DIR,
    ROOTS,
    load_dir,
    parse_file,
    references,
    rel,
    tf_dirs,
    tf_files,
    unquote,
)

DIRS = tf_dirs()
MODULE_DIRS = [MODULES_DIR / name for name in MODULE_NAMES]
# Names that hold a secret value (not names of keys, paths or TTLs that mention one).
SENSITIVE_NAME = re.compile(r"(^|_)(token|password|private_key|kubeconfig|unseal_keys?)$")


def ids(paths: list[Path]) -> list[str]:
    return [rel(p) for p in paths]


def test_the_tree_has_every_module_and_root() -> None:
    on_disk = sorted(p.name for p in MODULES_DIR.iterdir() if p.is_dir())
    assert on_disk == sorted(MODULE_NAMES)
    for root in ROOTS:
        assert (root / "main.tf").is_file(), root


@pytest.mark.parametrize("path", tf_files(), ids=ids(tf_files()))
def test_every_tf_file_parses(path: Path) -> None:
    assert isinstance(parse_file(path), dict)


@pytest.mark.parametrize("module", MODULE_DIRS, ids=MODULE_NAMES)
def test_module_has_the_standard_files(module: Path) -> None:
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
        assert (module / name).is_file(), f"{rel(module)} lacks {name}"
    assert (module / "examples" / "basic" / "main.tf").is_file()


@pytest.mark.parametrize("module", MODULE_DIRS, ids=MODULE_NAMES)
def test_module_readme_tables_list_every_input_and_output(module: Path) -> None:
    readme = (module / "README.md").read_text(encoding="utf-8")
    tf = load_dir(module)
    sections = re.split(r"^## ", readme, flags=re.MULTILINE)
    inputs = next(s for s in sections if s.startswith("Inputs"))
    outputs = next(s for s in sections if s.startswith("Outputs"))
    rows_in = set(re.findall(r"^\| `([a-z0-9_]+)` \|", inputs, flags=re.MULTILINE))
    rows_out = set(re.findall(r"^\| `([a-z0-9_]+)` \|", outputs, flags=re.MULTILINE))
    assert rows_in == set(tf.variables), "README Inputs table out of date"
    assert rows_out == set(tf.outputs), "README Outputs table out of date"


@pytest.mark.parametrize("path", DIRS, ids=ids(DIRS))
def test_every_variable_is_typed_and_described(path: Path) -> None:
    for name, body in load_dir(path).variables.items():
        assert "type" in body, f"{rel(path)}: variable {name} has no type"
        assert unquote(body.get("description", "")).strip(), f"{rel(path)}: {name} undescribed"


@pytest.mark.parametrize("path", DIRS, ids=ids(DIRS))
def test_every_variable_used_is_declared(path: Path) -> None:
    tf = load_dir(path)
    used = set().union(*(references(doc, "var") for doc in tf.documents))
    assert used <= set(tf.variables), f"undeclared: {sorted(used - set(tf.variables))}"


@pytest.mark.parametrize("path", DIRS, ids=ids(DIRS))
def test_every_declared_variable_is_used(path: Path) -> None:
    tf = load_dir(path)
    used = set().union(*(references(doc, "var") for doc in tf.documents))
    assert set(tf.variables) <= used, f"unused: {sorted(set(tf.variables) - used)}"


@pytest.mark.parametrize("path", DIRS, ids=ids(DIRS))
def test_every_output_is_described(path: Path) -> None:
    for name, body in load_dir(path).outputs.items():
        assert unquote(body.get("description", "")).strip(), f"{rel(path)}: output {name}"


@pytest.mark.parametrize("path", DIRS, ids=ids(DIRS))
def test_secret_looking_values_are_sensitive(path: Path) -> None:
    tf = load_dir(path)
    for name, body in tf.outputs.items():
        if SENSITIVE_NAME.search(name):
            assert body.get("sensitive") is True, f"output {name} must be sensitive"
    for name, body in tf.variables.items():
        if SENSITIVE_NAME.search(name) and "bool" not in body["type"]:
            assert body.get("sensitive") is True, f"variable {name} must be sensitive"


def test_provider_constraints_are_identical_everywhere() -> None:
    sources: dict[str, set[str]] = {}
    versions: dict[str, set[str]] = {}
    required: set[str] = set()
    for path in DIRS:
        tf = load_dir(path)
        found = tf.required_versions()
        assert len(found) == 1, f"{rel(path)} must set required_version exactly once"
        required.update(found)
        for name, spec in tf.required_providers().items():
            sources.setdefault(name, set()).add(spec["source"])
            versions.setdefault(name, set()).add(spec["version"])
    assert len(required) == 1, f"required_version differs: {required}"
    for name, found_sources in sources.items():
        assert len(found_sources) == 1, f"{name} has several sources: {found_sources}"
        assert len(versions[name]) == 1, f"{name} has several constraints: {versions[name]}"


@pytest.mark.parametrize("path", DIRS, ids=ids(DIRS))
def test_every_provider_used_is_required(path: Path) -> None:
    tf = load_dir(path)
    declared = set(tf.required_providers())
    used = {key.split("_", 1)[0] for key in tf.resources}
    used |= {
        unquote(rtype).split("_", 1)[0]
        for doc in tf.documents
        for block in doc.get("data", [])
        for rtype in block
    }
    used |= {unquote(name) for doc in tf.documents for b in doc.get("provider", []) for name in b}
    used.discard("terraform")  # terraform_data is built in
    assert used <= declared, f"{rel(path)}: undeclared providers {sorted(used - declared)}"


def _local_module_calls() -> list[tuple[Path, str, dict]]:
    calls = []
    for path in DIRS:
        for name, body in load_dir(path).modules.items():
            calls.append((path, name, body))
    return calls


CALLS = _local_module_calls()


@pytest.mark.parametrize(
    ("caller", "name", "body"), CALLS, ids=[f"{rel(c)}:{n}" for c, n, _ in CALLS]
)
def test_module_calls_pass_every_required_input_and_nothing_unknown(
    caller: Path, name: str, body: dict
) -> None:
    source = unquote(body["source"])
    assert source.startswith("../"), "modules are referenced by local path"
    target = load_dir((caller / source).resolve())
    passed = set(body) - MODULE_META_ARGUMENTS
    missing = target.required_variables() - passed
    unknown = passed - set(target.variables)
    assert not missing, f"{name}: missing required inputs {sorted(missing)}"
    assert not unknown, f"{name}: unknown inputs {sorted(unknown)}"


@pytest.mark.parametrize("module", MODULE_DIRS, ids=MODULE_NAMES)
def test_each_example_calls_its_module(module: Path) -> None:
    example = load_dir(module / "examples" / "basic")
    sources = {
        (module / "examples" / "basic" / unquote(b["source"])).resolve()
        for b in example.modules.values()
    }
    assert module.resolve() in sources


def test_cluster_tfvars_set_only_declared_variables_and_every_required_one() -> None:
    root = load_dir(INFRA / "clusters")
    # Secrets and the Vault CA come from TF_VAR_* at run time, never from committed files.
    from_environment = {"dns_api_token", "vault_ca_cert_pem"}
    files = sorted((INFRA / "clusters").glob("*/cluster.tfvars"))
    assert {f.parent.name for f in files} == {"dev", "staging", "production"}
    for file in files:
        values = {k: v for k, v in parse_file(file).items() if k != "__comments__"}
        assert set(values) <= set(root.variables), f"{rel(file)} sets undeclared variables"
        assert not set(values) & from_environment, f"{rel(file)} must not hold secrets"
        missing = root.required_variables() - from_environment - set(values)
        assert not missing, f"{rel(file)} misses {sorted(missing)}"
        assert unquote(values["cluster_name"]) == file.parent.name
        backend = (file.parent / "backend.tfbackend").read_text(encoding="utf-8")
        assert f'key       = "clusters/{file.parent.name}/terraform.tfstate"' in backend


@pytest.mark.parametrize("root", ROOTS, ids=ids(list(ROOTS)))
def test_roots_keep_state_in_spaces_with_locking(root: Path) -> None:
    backends = [b for block in load_dir(root).terraform for b in block.get("backend", [])]
    assert len(backends) == 1
    ((kind, body),) = backends[0].items()
    assert unquote(kind) == "s3"
    assert body["use_lockfile"] is True
    assert (root / "backend.tfbackend").is_file() or list(root.glob("*/backend.tfbackend"))


def test_cluster_creation_is_gated_by_should_create_cluster() -> None:
    root = load_dir(INFRA / "clusters")
    assert root.variables["should_create_cluster"]["default"] is False
    assert "var.should_create_cluster" in str(root.locals["create"])
    for name, body in root.modules.items():
        assert body.get("count") == "${local.create ? 1 : 0}", f"module {name} is not gated"
    # Only the cost-free identity guard exists outside the gate.
    assert set(root.resources) == {"terraform_data.cluster_identity"}


def test_cluster_root_outputs_read_module_outputs_that_exist() -> None:
    root = load_dir(INFRA / "clusters")
    for name, body in root.outputs.items():
        for module_name, output in re.findall(r"module\.(\w+)\[\*\]\.(\w+)", str(body["value"])):
            source = unquote(root.modules[module_name]["source"])
            target = load_dir((INFRA / "clusters" / source).resolve())
            assert output in target.outputs, f"{name} reads missing {module_name}.{output}"


def test_doks_has_three_pools_and_the_preview_pool_can_scale_to_zero() -> None:
    doks = load_dir(MODULES_DIR / "doks")
    cluster = doks.resource("digitalocean_kubernetes_cluster", "this")
    assert "maintenance_policy" in cluster
    assert cluster["ha"] == "${var.ha_control_plane}"
    assert "digitalocean_vpc.this" in doks.resources
    previews = doks.resource("digitalocean_kubernetes_node_pool", "previews")
    assert previews["auto_scale"] is True and "taint" in previews
    assert "digitalocean_kubernetes_node_pool.apps" in doks.resources
    defaults = str(doks.locals["pool_defaults"])
    assert re.search(r"'previews': \{[^}]*'min_nodes': 0", defaults), defaults
    assert doks.outputs["kubeconfig"]["sensitive"] is True


def test_vault_health_check_keeps_sealed_and_uninitialised_nodes_reachable() -> None:
    appliance = load_dir(MODULES_DIR / "vault_appliance")
    path = unquote(appliance.locals["health_path"])
    assert path.startswith("/v1/sys/health?")
    flags = dict(pair.split("=") for pair in path.split("?", 1)[1].split("&"))
    assert flags == {"standbyok": "true", "sealedcode": "200", "uninitcode": "200"}
    lb = appliance.resource("digitalocean_loadbalancer", "this")
    assert lb["healthcheck"][0]["path"] == "${local.health_path}"
    assert lb["forwarding_rule"][0]["tls_passthrough"] is True


def test_vault_firewall_admits_only_the_load_balancer_peers_and_admins() -> None:
    firewall = load_dir(MODULES_DIR / "vault_appliance").resource("digitalocean_firewall", "this")
    text = str(firewall.get("inbound_rule", [])) + str(firewall.get("dynamic", []))
    keys = {"source_load_balancer_uids", "source_tags", "source_addresses"}
    sources = [set(rule) & keys for rule in firewall["inbound_rule"]]
    assert sources == [{"source_load_balancer_uids"}, {"source_tags"}]
    assert "${var.admin_cidrs}" in text
    assert "0.0.0.0/0" not in str(firewall["inbound_rule"])


def test_vault_appliance_installs_openbao_with_tls_and_raft() -> None:
    templates = MODULES_DIR / "vault_appliance" / "templates"
    config = (templates / "openbao.hcl.tftpl").read_text(encoding="utf-8")
    install = (templates / "install-openbao.sh.tftpl").read_text(encoding="utf-8")
    assert 'storage "raft"' in config and "retry_join" in config
    assert "tls_cert_file" in config and "tls_key_file" in config
    assert "tls_disable" not in config
    assert "sha256sum -c" in install, "the package must be verified before installation"
    assert "systemctl enable openbao" in install
    # No unseal keys or root tokens: initialisation belongs to `wildside vault bootstrap`.
    assert "operator init" not in install


def test_vault_appliance_outputs_hold_no_recovery_secrets() -> None:
    appliance = load_dir(MODULES_DIR / "vault_appliance")
    assert {"vault_address", "ca_cert_pem", "recovery_policy"} <= set(appliance.outputs)
    for name, body in appliance.outputs.items():
        assert body.get("sensitive") is not True, f"{name}: the appliance outputs nothing secret"
        assert not re.search(r"unseal|root_token|keys_b64", str(body["value"]))


def test_fluxcd_never_handles_a_git_token() -> None:
    flux = load_dir(MODULES_DIR / "fluxcd")
    assert not [v for v in flux.variables if re.search("token|password", v)]
    assert "deploy_key_public" in flux.outputs
    assert not [b for b in flux.outputs.values() if re.search(r"\.private_key_", str(b["value"]))]
    assert "clusters/${var.cluster_name}" in str(flux.locals["git_path"])
