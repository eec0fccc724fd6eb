"""`wildside vault bootstrap`."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import SecretStr

from wildside.cli.common import JsonOption, QuietOption
from wildside.contract import names
from wildside.core import validation
from wildside.core.errors import BadInput
from wildside.core.output import Progress, emit
from wildside.vault import bootstrap as engine
from wildside.vault import discovery, policies
from wildside.vault.client import ADDRESS_ENV, CA_ENV, TOKEN_ENV
from wildside.vault.state import StateStore

app = typer.Typer(help="The Vault appliance: bootstrap and verify it.", no_args_is_help=True)


def _unseal_keys_from_env() -> tuple[SecretStr, ...]:
    raw = os.environ.get(engine.UNSEAL_KEYS_ENV, "")
    return tuple(SecretStr(part) for part in re.split(r"[\s,]+", raw) if part)


def _pem(path: Path, option: str) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"{option} {str(path)!r} cannot be read as a PEM file: {error}") from None
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise BadInput(
            f"{option} {str(path)!r} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        )
    return text


def _droplet_tag(environment: str | None, tag: str | None) -> str:
    if tag:
        return tag
    if environment:
        return f"wildside-{validation.dns_label(environment, option='--environment')}-vault"
    return "wildside-vault"


@app.command()
def bootstrap(
    state_file: Annotated[
        Path | None,
        typer.Option(
            "--state-file",
            help="Where the unseal shares and root token are kept (mode 0600, written "
            "atomically). Required to initialise; read to unseal.",
        ),
    ] = None,
    state_gpg_recipient: Annotated[
        str | None,
        typer.Option(
            "--state-gpg-recipient",
            help="Encrypt the state file to this GPG key (id, fingerprint or e-mail).",
        ),
    ] = None,
    environment: Annotated[
        str | None,
        typer.Option(
            "--environment",
            help="Environment name; the appliance's droplet tag becomes "
            "wildside-<environment>-vault.",
        ),
    ] = None,
    droplet_tag: Annotated[
        str | None,
        typer.Option("--droplet-tag", help="DigitalOcean tag of the appliance's droplets."),
    ] = None,
    port: Annotated[int, typer.Option("--port", help="API port on discovered droplets.")] = (
        discovery.DEFAULT_PORT
    ),
    ssh_check: Annotated[
        bool, typer.Option("--ssh-check", help="Check over ssh that the service runs.")
    ] = False,
    ssh_user: Annotated[str, typer.Option("--ssh-user", help="User for --ssh-check.")] = "root",
    service: Annotated[
        str, typer.Option("--service", help="systemd unit for --ssh-check.")
    ] = "openbao",
    ca_file: Annotated[
        Path | None,
        typer.Option("--ca-file", help=f"CA certificate of the appliance. Default: ${CA_ENV}."),
    ] = None,
    kv_mount: Annotated[
        str, typer.Option("--kv-mount", help="Path of the KV v2 secrets engine.")
    ] = names.VAULT_KV_MOUNT,
    shares: Annotated[int, typer.Option("--shares", help="Unseal shares created by init.")] = 5,
    threshold: Annotated[int, typer.Option("--threshold", help="Shares needed to unseal.")] = 3,
    kubernetes_host: Annotated[
        str | None,
        typer.Option(
            "--kubernetes-host", help="API URL of the cluster whose External Secrets logs in."
        ),
    ] = None,
    kubernetes_ca_file: Annotated[
        Path | None,
        typer.Option("--kubernetes-ca-file", help="CA certificate of that cluster's API."),
    ] = None,
    init_timeout: Annotated[
        float,
        typer.Option(
            "--init-timeout",
            help="Seconds to wait for Vault's reply to init (its keys exist only in that "
            "reply). Other calls wait 30 s.",
        ),
    ] = engine.DEFAULT_INIT_TIMEOUT_SECONDS,
    cluster_config: Annotated[
        list[Path] | None,
        typer.Option(
            "--cluster-config",
            help="A cluster's config (clusters/<cluster>.yaml, repeatable): writes the "
            "policy wildside-external-secrets-<cluster>, which reads exactly what that "
            "cluster's platform, environments and previews sync. With --kubernetes-host, "
            "name the one cluster the kubernetes/ auth mount serves.",
        ),
    ] = None,
    keep_root_token: Annotated[
        bool,
        typer.Option("--keep-root-token", help="Do not revoke the root token after bootstrap."),
    ] = False,
    unseal_only: Annotated[
        bool,
        typer.Option("--unseal-only", help="Initialise/unseal only; needs no token."),
    ] = False,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Initialise (only if uninitialised), unseal, and converge mounts, auth
    methods, policies and roles. A re-run reports every step verified.

    With VAULT_ADDR set, DigitalOcean discovery is skipped. Unseal shares come
    from --state-file or WILDSIDE_VAULT_UNSEAL_KEYS; the token that configures
    Vault from VAULT_TOKEN or the root token still in the state file."""
    kv_mount = validation.vault_mount(kv_mount, option="--kv-mount")
    if not 1 <= threshold <= shares <= 10:
        raise BadInput(
            f"--shares {shares} --threshold {threshold}: need 1 <= threshold <= shares <= 10"
        )
    if not 10 <= init_timeout <= 3600:
        raise BadInput(
            f"--init-timeout {init_timeout:g}: give 10 to 3600 seconds (default "
            f"{engine.DEFAULT_INIT_TIMEOUT_SECONDS:g})"
        )
    if state_file is not None and state_file.exists() and not state_file.is_file():
        raise BadInput(
            f"--state-file {str(state_file)!r} is not a file (a directory?): name the state "
            f"file itself, e.g. {str(state_file / 'vault-state.json')!r}"
        )
    if state_gpg_recipient and state_file is None:
        raise BadInput("--state-gpg-recipient needs --state-file: name the file to encrypt")
    for option, path in (("--ca-file", ca_file), ("--kubernetes-ca-file", kubernetes_ca_file)):
        if path is not None and not path.is_file():
            raise BadInput(f"{option} {path}: no such file")
    if bool(kubernetes_host) != bool(kubernetes_ca_file):
        raise BadInput(
            "--kubernetes-host and --kubernetes-ca-file go together: Vault runs outside the "
            "cluster and must pin the cluster API's CA"
        )
    clusters = _cluster_reach(cluster_config or [])
    if kubernetes_host and len(clusters) != 1:
        raise BadInput(
            "--kubernetes-host needs exactly one --cluster-config: the cluster whose External "
            "Secrets logs in through the kubernetes/ mount (other clusters get their own "
            "mounts from infra/modules/vault_eso)"
        )
    ca = str(ca_file) if ca_file else os.environ.get(CA_ENV) or None
    progress = Progress(quiet=quiet)
    configured = os.environ.get(ADDRESS_ENV)
    if configured:
        addresses = [configured.rstrip("/")]
        progress.step(f"address: {addresses[0]} (from {ADDRESS_ENV})")
    else:
        tag = _droplet_tag(environment, droplet_tag)
        addresses = discovery.discover_addresses(tag, port)
        progress.step(f"address: {addresses[0]} (droplet tag {tag})")
    if ssh_check:
        for address in addresses:
            discovery.check_service(ssh_user, discovery.host_of(address), service)
            progress.step(f"service {service} on {discovery.host_of(address)}: active")
    token = os.environ.get(TOKEN_ENV)
    bootstrap_role_id = os.environ.get(engine.BOOTSTRAP_ROLE_ID_ENV)
    bootstrap_secret_id = os.environ.get(engine.BOOTSTRAP_SECRET_ID_ENV)
    options = engine.Options(
        address=addresses[0],
        followers=tuple(addresses[1:]),
        kv_mount=kv_mount,
        ca_file=ca,
        secret_shares=shares,
        secret_threshold=threshold,
        init_timeout=init_timeout,
        clusters=clusters,
        kubernetes_cluster=clusters[0].cluster if kubernetes_host else None,
        keep_root_token=keep_root_token,
        unseal_only=unseal_only,
        kubernetes_host=kubernetes_host,
        kubernetes_ca_pem=_pem(kubernetes_ca_file, "--kubernetes-ca-file")
        if kubernetes_ca_file
        else None,
        token=SecretStr(token) if token else None,
        bootstrap_login=(bootstrap_role_id, SecretStr(bootstrap_secret_id))
        if bootstrap_role_id and bootstrap_secret_id
        else None,
        unseal_keys=_unseal_keys_from_env(),
        store=StateStore(state_file.absolute(), state_gpg_recipient) if state_file else None,
    )
    report = engine.bootstrap(options, progress)
    progress.done()
    if any(s.name == "initialise" and s.status == engine.CREATED for s in report.steps):
        sys.stderr.write(
            f"WARNING: {state_file} now holds the ONLY copy of the unseal shares"
            f"{'' if keep_root_token else ' (the root token was revoked)'}. Lose it and "
            "this Vault cannot be unsealed again: copy it to your password manager or split "
            "the shares across their holders now (docs/vault.md).\n"
        )
    result: dict[str, Any] = {
        "address": report.address,
        "nodes": addresses,
        "changed": report.changed,
        "steps": [
            {"name": step.name, "status": step.status, "detail": step.detail}
            for step in report.steps
        ],
        "approle_role_id": report.role_id,
        "ca_file": ca,
        "state_file": str(state_file) if state_file else None,
    }
    emit(result, as_json=as_json, human=_human)


def _cluster_reach(files: list[Path]) -> tuple[policies.ClusterReach, ...]:
    if not files:
        return ()
    from wildside.platform import service, vault_reach

    reached: dict[str, policies.ClusterReach] = {}
    for path in files:
        if not path.is_file():
            raise BadInput(f"--cluster-config {path}: no such file")
        found = vault_reach.reach(service.load_cluster(path, None, None))
        if found.cluster in reached:
            raise BadInput(f"--cluster-config {path}: cluster {found.cluster!r} given twice")
        reached[found.cluster] = policies.ClusterReach(
            cluster=found.cluster,
            platform_paths=found.platform_paths,
            environments=found.environments,
            previews=found.previews,
        )
    return tuple(reached.values())


def _human(result: dict[str, Any]) -> str:
    lines = [f"Vault at {result['address']}:"]
    for step in result["steps"]:
        detail = f"  ({step['detail']})" if step["detail"] else ""
        lines.append(f"  {step['status']:<9} {step['name']}{detail}")
    if result["state_file"]:
        lines.append(
            f"Secrets are in {result['state_file']} only: copy them to your password manager "
            "and keep the file offline (docs/vault.md)."
        )
    lines.append("changed" if result["changed"] else "verified, nothing changed")
    return "\n".join(lines)
