"""Finding the Vault appliance: `VAULT_ADDR` when set (as the vault CLI
reads it), otherwise the DigitalOcean droplet carrying the appliance's tag;
optionally an ssh check that the service runs on it."""

from __future__ import annotations

import json
import shutil
import subprocess
from urllib.parse import urlsplit

from wildside.core.errors import BadInput, OperationalError

DEFAULT_PORT = 8200


def _run(command: list[str], what: str) -> subprocess.CompletedProcess[str]:
    executable = shutil.which(command[0])
    if executable is None:
        raise OperationalError(f"{command[0]} is not on PATH: install it to {what}")
    return subprocess.run(
        [executable, *command[1:]],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def droplet_command(tag: str) -> list[str]:
    return ["doctl", "compute", "droplet", "list", "--tag-name", tag, "--output", "json"]


def public_ipv4(droplet: dict[str, object]) -> str | None:
    networks = droplet.get("networks")
    if not isinstance(networks, dict):
        return None
    for network in networks.get("v4") or []:
        if isinstance(network, dict) and network.get("type") == "public":
            address = network.get("ip_address")
            return str(address) if address else None
    return None


def discover_addresses(tag: str, port: int = DEFAULT_PORT) -> list[str]:
    """API addresses of the droplets tagged `tag`, sorted by droplet name (the
    first one is initialised; every one is unsealed). doctl reads
    DIGITALOCEAN_ACCESS_TOKEN from the environment, never from argv."""
    completed = _run(droplet_command(tag), "discover the Vault appliance")
    if completed.returncode != 0:
        reason = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        raise OperationalError(
            f"doctl could not list droplets tagged {tag!r} ({reason}); "
            "check DIGITALOCEAN_ACCESS_TOKEN or set VAULT_ADDR"
        )
    try:
        droplets = json.loads(completed.stdout or "[]")
    except ValueError:
        raise OperationalError("doctl returned something other than JSON") from None
    if not isinstance(droplets, list) or not droplets:
        raise OperationalError(
            f"no droplet is tagged {tag!r}: apply the vault_appliance module first, "
            "or set VAULT_ADDR"
        )
    addresses = []
    for droplet in sorted(droplets, key=lambda d: str(d.get("name"))):
        address = public_ipv4(droplet)
        if address is None:
            raise OperationalError(
                f"droplet {droplet.get('name')!r} tagged {tag!r} has no public IPv4 address"
            )
        addresses.append(f"https://{address}:{port}")
    return addresses


def host_of(address: str) -> str:
    host = urlsplit(address).hostname
    if not host:
        raise BadInput(f"VAULT_ADDR {address!r} is not a URL: write e.g. https://10.0.0.5:8200")
    return host


def ssh_command(user: str, host: str, service: str) -> list[str]:
    return [
        "ssh",
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=10",
        f"{user}@{host}",
        "systemctl",
        "is-active",
        service,
    ]


def check_service(user: str, host: str, service: str) -> None:
    completed = _run(ssh_command(user, host, service), "check the Vault service")
    state = completed.stdout.strip() or "unknown"
    if completed.returncode != 0 or state != "active":
        raise OperationalError(
            f"service {service!r} on {host} is {state} (ssh exit {completed.returncode}): "
            f"start it (ssh {user}@{host} sudo systemctl start {service}) and run again"
        )
