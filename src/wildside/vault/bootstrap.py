"""Converge a Vault appliance step by step. Every step checks first and
acts only on a difference, so a second run reports every step verified.

Order matters for crash safety: the secrets `init` returns are written to
the operator's store before anything else happens, and `init` is called
only when Vault itself says it is uninitialised — a re-run after a kill
can never initialise twice."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import hvac
import requests
from pydantic import SecretStr

from wildside.core.errors import BadInput, OperationalError
from wildside.core.output import SILENT, Progress
from wildside.vault import policies
from wildside.vault.client import make, vault_errors
from wildside.vault.state import StateStore, VaultState

CREATED = "created"
UPDATED = "updated"
VERIFIED = "verified"
UNSEALED = "unsealed"
SKIPPED = "skipped"
REVOKED = "revoked"
KEPT = "kept"
UNSEAL_KEYS_ENV = "WILDSIDE_VAULT_UNSEAL_KEYS"
BOOTSTRAP_ROLE_ID_ENV = "WILDSIDE_VAULT_BOOTSTRAP_ROLE_ID"
BOOTSTRAP_SECRET_ID_ENV = "WILDSIDE_VAULT_BOOTSTRAP_SECRET_ID"  # noqa: S105 - a name
_READY_TIMEOUT_SECONDS = 60.0
DEFAULT_INIT_TIMEOUT_SECONDS = 300.0
# Deferred while `init` runs and its reply is saved: CI cancellation,
# `timeout` and systemd send SIGTERM, a terminal SIGINT or SIGHUP.
_DEFERRED_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
RECOVERY = "docs/vault.md#recovery"


@dataclass(frozen=True)
class Step:
    name: str
    status: str
    detail: str = ""


@dataclass(frozen=True)
class Options:
    address: str
    kv_mount: str
    ca_file: str | None = None
    secret_shares: int = 5
    secret_threshold: int = 3
    keep_root_token: bool = False
    unseal_only: bool = False
    kubernetes_host: str | None = None
    kubernetes_ca_pem: str | None = None
    token: SecretStr | None = None
    bootstrap_login: tuple[str, SecretStr] | None = None  # AppRole role id, secret id
    unseal_keys: tuple[SecretStr, ...] = ()
    store: StateStore | None = None
    followers: tuple[str, ...] = ()  # other Raft nodes: unsealed, never initialised
    init_timeout: float = DEFAULT_INIT_TIMEOUT_SECONDS
    # Each cluster's External Secrets policy; the one named by
    # kubernetes_cluster is bound by the `kubernetes` mount's role.
    clusters: tuple[policies.ClusterReach, ...] = ()
    kubernetes_cluster: str | None = None


@dataclass
class Report:
    address: str
    steps: list[Step] = field(default_factory=list)
    role_id: str | None = None

    @property
    def changed(self) -> bool:
        return any(step.status not in (VERIFIED, SKIPPED, KEPT) for step in self.steps)


def _health(client: hvac.Client) -> dict[str, Any]:
    with vault_errors("read sys/health"):
        health: dict[str, Any] = client.sys.read_health_status(
            method="GET",
            uninit_code=200,
            sealed_code=200,
            standby_code=200,
            performance_standby_code=200,
        )
    return health


class _Run:
    def __init__(self, options: Options, progress: Progress) -> None:
        self.options = options
        self.progress = progress
        self.client = make(options.address, None, options.ca_file)
        self.report = Report(address=options.address)
        self.state: VaultState | None = options.store.load() if options.store else None
        self._unsealed_with_stored_keys = False

    def record(self, name: str, status: str, detail: str = "") -> None:
        self.report.steps.append(Step(name, status, detail))
        self.progress.step(f"{name}: {status}" + (f" ({detail})" if detail else ""))

    # -- initialise and unseal: no token needed --------------------------------

    def check_identity(self) -> None:
        """A state file belongs to one Vault: refuse (exit 2, file untouched)
        to act on another. The cluster id is the proof once recorded; before
        that, the address."""
        state, store = self.state, self.options.store
        if state is None or store is None or not state.unseal_keys:
            return
        health = _health(self.client)
        live = health.get("cluster_id") if not health.get("sealed") else None
        if state.cluster_id and live:
            if live != state.cluster_id:
                raise BadInput(
                    f"--state-file {store.path} belongs to the Vault with cluster id "
                    f"{state.cluster_id} (first bootstrapped at {state.address}), but "
                    f"{self.options.address} is cluster {live}: pass this Vault's own "
                    "state file; nothing was changed"
                )
            return
        if _same_address(state.address, self.options.address):
            return
        raise BadInput(
            f"--state-file {store.path} belongs to the Vault at {state.address}, not "
            f"{self.options.address}: pass this Vault's own state file (if it is the same "
            f"Vault under a new address, unseal it once and run again: {RECOVERY}); "
            "nothing was changed"
        )

    def initialise(self) -> None:
        health = _health(self.client)
        if health.get("initialized"):
            self.record("initialise", VERIFIED)
            return
        store = self.options.store
        if store is None:
            raise BadInput(
                f"Vault at {self.options.address} is not initialised: pass --state-file PATH "
                "so the unseal shares and root token have somewhere to go"
            )
        if self.state is not None and self.state.unseal_keys:
            raise BadInput(
                f"--state-file {store.path} already holds the shares of another Vault and "
                f"{self.options.address} is uninitialised: choose a new state file"
            )
        store.prepare()  # writable, and GPG really encrypts: proven before init
        pending = VaultState(
            address=self.options.address,
            secret_shares=self.options.secret_shares,
            secret_threshold=self.options.secret_threshold,
            init_started_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        store.save(pending)
        initialiser = make(
            self.options.address, None, self.options.ca_file, timeout=self.options.init_timeout
        )
        with _signals_deferred():
            with vault_errors("initialise"):
                try:
                    result = initialiser.sys.initialize(
                        secret_shares=self.options.secret_shares,
                        secret_threshold=self.options.secret_threshold,
                    )
                except requests.exceptions.ReadTimeout:
                    raise OperationalError(self._init_unanswered()) from None
            state = replace(
                pending,
                unseal_keys=tuple(SecretStr(key) for key in result["keys_base64"]),
                root_token=SecretStr(result["root_token"]),
                init_started_at=None,
            )
            del result
            _save_or_rescue(store, state)
        self.state = state
        self.record("initialise", CREATED, f"{self.options.secret_shares} shares saved")

    def _init_unanswered(self) -> str:
        # The request was sent: Vault may have initialised, and its reply,
        # the only copy of the shares, never arrived. Say so, not "unreachable".
        return (
            f"Vault at {self.options.address} did not answer init within --init-timeout "
            f"{self.options.init_timeout:g} s: it may have initialised without its shares "
            "reaching us. Run again with the same --state-file: if it then reports this "
            f"Vault initialised and sealed without its shares, they are lost ({RECOVERY}); "
            "for a slow appliance, raise --init-timeout"
        )

    def _keys(self) -> tuple[SecretStr, ...]:
        if self.options.unseal_keys:
            return self.options.unseal_keys
        return self.state.unseal_keys if self.state else ()

    def unseal(self) -> None:
        self._unseal_node(self.client, "unseal", self.options.address)
        self._wait_active()
        for address in self.options.followers:
            follower = make(address, None, self.options.ca_file)
            self._unseal_node(follower, f"unseal {address}", address)

    def _unseal_node(self, client: hvac.Client, name: str, address: str) -> None:
        health = _health(client)
        if not health.get("sealed"):
            self.record(name, VERIFIED)
            return
        keys = self._keys()
        if not keys:
            raise OperationalError(self._no_shares(address))
        # A run killed mid-unseal leaves progress behind; start clean.
        with vault_errors("reset a previous unseal attempt"):
            client.sys.submit_unseal_key(reset=True)
        status: dict[str, Any] = {}
        for key in keys:
            with vault_errors("accept an unseal share"):
                try:
                    status = client.sys.submit_unseal_key(key=key.get_secret_value())
                except hvac.exceptions.InvalidRequest:
                    # Vault rejects shares that are not its own (the keyring
                    # does not decrypt): a sealed Vault shows no cluster id,
                    # so this is where another Vault's file is recognised.
                    client.sys.submit_unseal_key(reset=True)
                    raise BadInput(self._foreign_shares(address)) from None
            if not status.get("sealed", True):
                break
        if status.get("sealed", True):
            with vault_errors("reset the unseal attempt"):
                client.sys.submit_unseal_key(reset=True)
            raise OperationalError(
                f"{len(keys)} unseal share(s) did not unseal {address} "
                f"(threshold {status.get('t', '?')}): supply the shares of this Vault"
            )
        if address == self.options.address and not self.options.unseal_keys:
            self._unsealed_with_stored_keys = True
        self.record(name, UNSEALED)

    def _foreign_shares(self, address: str) -> str:
        store, state = self.options.store, self.state
        if self.options.unseal_keys or store is None or state is None:
            return (
                f"the shares in {UNSEAL_KEYS_ENV} do not unseal {address}: they belong to "
                "another Vault; supply this Vault's shares; nothing was changed"
            )
        owner = f"cluster id {state.cluster_id}" if state.cluster_id else state.address
        return (
            f"--state-file {store.path} belongs to another Vault ({owner}): its shares do not "
            f"unseal {address} (or a rekey replaced them); pass this Vault's own state file; "
            "nothing was changed"
        )

    def _no_shares(self, address: str) -> str:
        store, state = self.options.store, self.state
        if store is None:
            return (
                f"Vault at {address} is sealed and no unseal shares are available: pass the "
                f"--state-file of its first bootstrap or set {UNSEAL_KEYS_ENV}"
            )
        lost = ""
        if state is not None and state.init_started_at:
            lost = (
                f" It records an initialisation started at {state.init_started_at} whose "
                "reply was never saved (the process was killed with SIGKILL or the machine "
                "stopped): those shares exist nowhere."
            )
        return (
            f"Vault at {address} is initialised and sealed, and its unseal shares are not in "
            f"--state-file {store.path}.{lost} Pass the state file (or "
            f"{UNSEAL_KEYS_ENV}) of this Vault's first bootstrap. If the shares are lost, "
            "this Vault's data cannot be recovered: rebuild the appliance and restore a "
            f"Raft snapshot ({RECOVERY})"
        )

    def remember_identity(self) -> None:
        """Record the cluster id once this file's shares have unsealed the
        Vault (or its init created it): from then on it proves the file's owner."""
        store, state = self.options.store, self.state
        if store is None or state is None or state.cluster_id or not state.unseal_keys:
            return
        if not self._unsealed_with_stored_keys:
            return
        cluster_id = _health(self.client).get("cluster_id")
        if cluster_id:
            self.state = replace(state, cluster_id=str(cluster_id))
            store.save(self.state)

    def _wait_active(self) -> None:
        """Right after unsealing, a node needs a moment to become active."""
        deadline = time.monotonic() + _READY_TIMEOUT_SECONDS
        while True:
            health = _health(self.client)
            if not health.get("sealed") and not health.get("standby"):
                return
            if time.monotonic() > deadline:
                raise OperationalError(
                    f"Vault at {self.options.address} did not become active within "
                    f"{int(_READY_TIMEOUT_SECONDS)} s after unsealing"
                )
            time.sleep(0.2)

    # -- configuration: needs a token ------------------------------------------

    def _logins(self) -> list[tuple[str, SecretStr | tuple[str, SecretStr]]]:
        candidates: list[tuple[str, SecretStr | tuple[str, SecretStr]]] = []
        if self.options.token:
            candidates.append(("VAULT_TOKEN", self.options.token))
        if self.options.bootstrap_login:
            candidates.append((BOOTSTRAP_ROLE_ID_ENV, self.options.bootstrap_login))
        stored = self._stored_bootstrap_login()
        if stored:
            candidates.append(("bootstrap AppRole from the state file", stored))
        if self.state and self.state.root_token:
            candidates.append(("root token from the state file", self.state.root_token))
        return candidates

    def _stored_bootstrap_login(self) -> tuple[str, SecretStr] | None:
        extra = self.state.extra if self.state else {}
        role_id, secret_id = extra.get("bootstrap_role_id"), extra.get("bootstrap_secret_id")
        return (str(role_id), SecretStr(str(secret_id))) if role_id and secret_id else None

    def _try_login(self, credential: SecretStr | tuple[str, SecretStr]) -> bool:
        try:
            with vault_errors("log in"):
                if isinstance(credential, tuple):
                    role_id, secret_id = credential
                    self.client.token = ""
                    self.client.auth.approle.login(
                        role_id=role_id,
                        secret_id=secret_id.get_secret_value(),
                        mount_point=policies.APPROLE_MOUNT,
                    )
                else:
                    self.client.token = credential.get_secret_value()
                    self.client.lookup_token()
        except OperationalError:
            self.client.token = ""
            return False
        return True

    def authenticate(self) -> None:
        for source, credential in self._logins():
            if self._try_login(credential):
                self.record("token", VERIFIED, source)
                return
        raise OperationalError(
            "no valid Vault credential to verify the configuration with: set VAULT_TOKEN, "
            f"or {BOOTSTRAP_ROLE_ID_ENV} and {BOOTSTRAP_SECRET_ID_ENV}, or pass the state "
            "file of the first bootstrap (docs/vault.md#tokens); --unseal-only needs none"
        )

    def bootstrap_credential(self) -> None:
        """Keep a working bootstrap AppRole credential in the state file, so
        the root token can go and later runs still verify."""
        store, state = self.options.store, self.state
        name = f"credential approle/{policies.BOOTSTRAP_ROLE}"
        if store is None or state is None:
            self.record(name, SKIPPED, "no state file")
            return
        stored = self._stored_bootstrap_login()
        if stored is not None:
            probe = make(self.options.address, None, self.options.ca_file)
            try:
                with vault_errors("log in with the stored bootstrap credential"):
                    probe.auth.approle.login(
                        role_id=stored[0],
                        secret_id=stored[1].get_secret_value(),
                        mount_point=policies.APPROLE_MOUNT,
                    )
                    probe.auth.token.revoke_self()
                self.record(name, VERIFIED)
                return
            except OperationalError:
                pass  # rotated or destroyed: issue a new one below
            finally:
                probe.token = ""
        role = f"auth/{policies.APPROLE_MOUNT}/role/{policies.BOOTSTRAP_ROLE}"
        with vault_errors("issue a bootstrap secret id"):
            role_id = self.client.read(f"{role}/role-id")["data"]["role_id"]
            secret_id = self.client.write_data(f"{role}/secret-id")["data"]["secret_id"]
        extra = {
            **state.extra,
            "bootstrap_role_id": role_id,
            "bootstrap_secret_id": secret_id,
        }
        self.state = replace(state, extra=extra)
        store.save(self.state)
        self.record(name, CREATED if stored is None else UPDATED, f"saved in {store.path}")

    def kv_mount(self) -> None:
        mount = self.options.kv_mount
        with vault_errors("list secrets engines"):
            mounts = self.client.sys.list_mounted_secrets_engines()["data"]
        existing = mounts.get(f"{mount}/")
        if existing is None:
            with vault_errors(f"enable KV v2 at {mount}/"):
                self.client.sys.enable_secrets_engine(
                    "kv",
                    path=mount,
                    description="wildside application and preview secrets",
                    options={"version": "2"},
                )
            self.record(f"kv-mount {mount}/", CREATED, "kv version 2")
            return
        kind = existing.get("type")
        version = str((existing.get("options") or {}).get("version", "1"))
        if kind != "kv":
            raise OperationalError(
                f"{mount}/ is a {kind!r} secrets engine, not KV v2: move it away or choose "
                "another --kv-mount; bootstrap never replaces an existing engine"
            )
        if version != "2":
            raise OperationalError(
                f"{mount}/ is KV version {version}, not 2: upgrade it deliberately "
                f"(bao kv enable-versioning {mount}/) or choose another --kv-mount"
            )
        self.record(f"kv-mount {mount}/", VERIFIED, "kv version 2")

    def auth_method(self, path: str, kind: str) -> None:
        with vault_errors("list auth methods"):
            methods = self.client.sys.list_auth_methods()["data"]
        existing = methods.get(f"{path}/")
        if existing is None:
            with vault_errors(f"enable the {kind} auth method at {path}/"):
                self.client.sys.enable_auth_method(kind, path=path)
            self.record(f"auth {path}/", CREATED, kind)
            return
        if existing.get("type") != kind:
            raise OperationalError(
                f"auth/{path}/ is a {existing.get('type')!r} auth method, not {kind}: "
                "bootstrap never replaces an existing auth method; move it away"
            )
        self.record(f"auth {path}/", VERIFIED, kind)

    def kubernetes_config(self) -> None:
        host = self.options.kubernetes_host
        name = f"auth {policies.KUBERNETES_MOUNT}/config"
        if not host:
            self.record(name, SKIPPED, "pass --kubernetes-host once the cluster exists")
            return
        # The appliance runs outside the cluster: no local service-account
        # files; each login's own JWT reviews itself (the External Secrets
        # service account needs system:auth-delegator).
        wanted: dict[str, Any] = {"kubernetes_host": host, "disable_local_ca_jwt": True}
        if self.options.kubernetes_ca_pem:
            wanted["kubernetes_ca_cert"] = self.options.kubernetes_ca_pem
        path = f"auth/{policies.KUBERNETES_MOUNT}/config"
        self._converge(name, path, wanted)

    def _converge(self, name: str, path: str, wanted: dict[str, Any]) -> None:
        with vault_errors(f"read {path}"):
            current = self.client.read(path)
        data = (current or {}).get("data") or {}
        if current and all(_same(data.get(key), value) for key, value in wanted.items()):
            self.record(name, VERIFIED)
            return
        with vault_errors(f"write {path}"):
            self.client.write_data(path, data=wanted)
        self.record(name, UPDATED if current else CREATED)

    def policies(self) -> None:
        for name, text in policies.policies(self.options.kv_mount, self.options.clusters).items():
            with vault_errors(f"read policy {name}"):
                current = self.client.read(f"sys/policies/acl/{name}")
            existing = ((current or {}).get("data") or {}).get("policy")
            if existing is not None and existing.strip() == text.strip():
                self.record(f"policy {name}", VERIFIED)
                continue
            with vault_errors(f"write policy {name}"):
                self.client.sys.create_or_update_acl_policy(name=name, policy=text)
            self.record(f"policy {name}", UPDATED if existing is not None else CREATED)

    def roles(self) -> None:
        specs = [policies.CI_ROLE_SPEC, policies.BOOTSTRAP_ROLE_SPEC]
        cluster = next(
            (c for c in self.options.clusters if c.cluster == self.options.kubernetes_cluster),
            None,
        )
        if cluster is not None:
            specs.append(policies.eso_role_spec(cluster))
        else:
            self.record(
                f"role {policies.KUBERNETES_MOUNT}/{policies.ESO_ROLE}",
                SKIPPED,
                "pass --kubernetes-host with the cluster's --cluster-config",
            )
        for spec in specs:
            path = f"auth/{spec.mount}/role/{spec.name}"
            self._converge(f"role {spec.mount}/{spec.name}", path, spec.fields)
        role_id_path = f"auth/{policies.APPROLE_MOUNT}/role/{policies.CI_ROLE}/role-id"
        with vault_errors("read the CI deployer's role id"):
            self.report.role_id = self.client.read(role_id_path)["data"]["role_id"]

    def root_token(self) -> None:
        store, state = self.options.store, self.state
        if store is None or state is None:
            self.record("root-token", SKIPPED, "no state file")
            return
        if state.root_token is None:
            self.record("root-token", VERIFIED, "revoked")
            return
        if self.options.keep_root_token:
            self.record("root-token", KEPT, f"still in {store.path}")
            return
        revoker = make(
            self.options.address, state.root_token.get_secret_value(), self.options.ca_file
        )
        try:
            refused = False
            with vault_errors("look up the root token"):
                try:
                    revoker.lookup_token()
                except hvac.exceptions.Forbidden:
                    refused = True
            if refused and not state.root_token_revoking:
                # "permission denied" means "revoked" only when a run of ours
                # marked the revocation on this (identity-checked) Vault.
                raise OperationalError(
                    f"the root token in {store.path} is refused by {self.options.address} "
                    "and no run of ours revoked it: the file is unchanged; check that it is "
                    f"this Vault's state file, or pass --keep-root-token ({RECOVERY})"
                )
            if not refused:
                # Marked first: if this run dies after the revocation, the next
                # one knows that the refusal means "revoked by us".
                state = replace(state, root_token_revoking=True)
                store.save(state)
                self.state = state
                with vault_errors("revoke the root token"):
                    revoker.auth.token.revoke_self()
        finally:
            revoker.token = ""
        self.state = state.without_root_token()
        store.save(self.state)
        self.record("root-token", REVOKED)


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(wanted, list) and isinstance(current, list):
        return sorted(map(str, current)) == sorted(map(str, wanted))
    if isinstance(wanted, str) and isinstance(current, str):
        return current.strip() == wanted.strip()
    return bool(current == wanted)


def _same_address(first: str, second: str) -> bool:
    return first.rstrip("/").lower() == second.rstrip("/").lower()


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the init reply is on disk; they
    are delivered (and end the process) right after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _save_or_rescue(store: StateStore, state: VaultState) -> None:
    try:
        store.save(state)
    except (OperationalError, BadInput, OSError) as error:
        reason = str(error) if not isinstance(error, OSError) else error.strerror
        try:
            rescued = store.rescue(state)
        except OSError as second:
            raise OperationalError(
                f"Vault was initialised but neither {store.path} nor a rescue file could be "
                f"written ({reason}; {second.strerror}): the shares are lost ({RECOVERY})"
            ) from None
        raise OperationalError(
            f"Vault was initialised but {store.path} could not be saved ({reason}): the shares "
            f"and root token are in {rescued} in PLAIN TEXT (mode 0600); encrypt or move it "
            f"now, then run again with --state-file {rescued} ({RECOVERY})"
        ) from None


def bootstrap(options: Options, progress: Progress = SILENT) -> Report:
    run = _Run(options, progress)
    run.check_identity()
    run.initialise()
    run.unseal()
    run.remember_identity()
    if options.unseal_only:
        run.record("configuration", SKIPPED, "--unseal-only")
        return run.report
    run.authenticate()
    steps: list[Callable[[], None]] = [
        run.kv_mount,
        lambda: run.auth_method(policies.APPROLE_MOUNT, "approle"),
        lambda: run.auth_method(policies.KUBERNETES_MOUNT, "kubernetes"),
        run.kubernetes_config,
        run.policies,
        run.roles,
        run.bootstrap_credential,
        run.root_token,
    ]
    for step in steps:
        step()
    run.client.token = ""
    return run.report
