"""The operator's store for the secrets `init` returns: a JSON state file,
mode 0600, optionally encrypted to a GPG recipient. Written atomically (a
process killed mid-write leaves the old file or the new one, never half)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from wildside.core.errors import BadInput, OperationalError

STATE_VERSION = 1
_ARMOR = "-----BEGIN PGP MESSAGE-----"


@dataclass(frozen=True)
class VaultState:
    """What only this file knows. Secrets are SecretStr so that a stray
    repr, log line or traceback shows asterisks, never a share."""

    address: str
    secret_shares: int
    secret_threshold: int
    unseal_keys: tuple[SecretStr, ...] = ()
    root_token: SecretStr | None = None
    root_token_revoked: bool = False
    # Vault's own identity (sys/health cluster_id), recorded once this
    # file's shares have unsealed it: a file never acts on another Vault.
    cluster_id: str | None = None
    # Written before `init` is called and cleared by the save of its reply:
    # a file still carrying it records an init whose reply was never saved.
    init_started_at: str | None = None
    # Written before the root token revokes itself, so that a later
    # "permission denied" for it can be read as "revoked by us", and only then.
    root_token_revoking: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def without_root_token(self) -> VaultState:
        return replace(self, root_token=None, root_token_revoked=True, root_token_revoking=False)

    def to_json(self) -> str:
        document = {
            "version": STATE_VERSION,
            "address": self.address,
            "secret_shares": self.secret_shares,
            "secret_threshold": self.secret_threshold,
            "unseal_keys_b64": [key.get_secret_value() for key in self.unseal_keys],
            "root_token": self.root_token.get_secret_value() if self.root_token else None,
            "root_token_revoked": self.root_token_revoked,
            "root_token_revoking": self.root_token_revoking,
            "cluster_id": self.cluster_id,
            "init_started_at": self.init_started_at,
            **self.extra,
        }
        return json.dumps(document, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str) -> VaultState:
        try:
            document = json.loads(text)
            keys = document["unseal_keys_b64"]
            root = document.get("root_token")
            known = {
                "version",
                "address",
                "secret_shares",
                "secret_threshold",
                "unseal_keys_b64",
                "root_token",
                "root_token_revoked",
                "root_token_revoking",
                "cluster_id",
                "init_started_at",
            }
            return cls(
                address=str(document["address"]),
                secret_shares=int(document["secret_shares"]),
                secret_threshold=int(document["secret_threshold"]),
                unseal_keys=tuple(SecretStr(str(key)) for key in keys),
                root_token=SecretStr(str(root)) if root else None,
                root_token_revoked=bool(document.get("root_token_revoked", False)),
                root_token_revoking=bool(document.get("root_token_revoking", False)),
                cluster_id=str(document["cluster_id"]) if document.get("cluster_id") else None,
                init_started_at=(
                    str(document["init_started_at"]) if document.get("init_started_at") else None
                ),
                extra={k: v for k, v in document.items() if k not in known},
            )
        except (ValueError, KeyError, TypeError):
            # Never echo the content: it is the secret.
            raise OperationalError(
                f"state file {source} is not a wildside Vault state file: "
                "restore it from your backup (docs/vault.md#recovery)"
            ) from None


@dataclass(frozen=True)
class StateStore:
    path: Path
    gpg_recipient: str | None = None

    def prepare(self) -> None:
        """Prove, before `init`, that the secrets will have somewhere to go:
        losing them after `init` would lose the Vault."""
        directory = self.path.parent
        if not directory.is_dir():
            raise BadInput(
                f"--state-file {self.path}: directory {directory} does not exist; create it first"
            )
        probe = directory / f".{self.path.name}.probe-{os.getpid()}"
        try:
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
            probe.unlink()
        except OSError as error:
            raise BadInput(
                f"--state-file {self.path}: cannot write in {directory} ({error.strerror}); "
                "choose a writable directory"
            ) from None
        self.refuse_plaintext_rewrite()
        if self.gpg_recipient:
            # A real encryption, not a key listing: an expired, revoked or
            # sign-only key is listed fine and fails only when it encrypts.
            completed = _gpg(_encrypt_args(self.gpg_recipient), b"wildside probe")
            if completed.returncode != 0:
                raise BadInput(
                    f"--state-gpg-recipient {self.gpg_recipient!r} cannot encrypt "
                    f"({_gpg_reason(completed)}): import a valid public encryption key "
                    "(gpg --import) or pick another recipient"
                )

    def load(self) -> VaultState | None:
        self.refuse_plaintext_rewrite()
        if not self.path.exists():
            return None
        try:
            raw = self.path.read_bytes()
        except OSError as error:
            raise OperationalError(
                f"cannot read state file {self.path} ({error.strerror}): fix its permissions "
                "or name another --state-file"
            ) from None
        if raw.lstrip().startswith(_ARMOR.encode()):
            completed = _gpg(["--decrypt"], raw)
            if completed.returncode != 0:
                raise OperationalError(
                    f"cannot decrypt state file {self.path} with gpg: make the secret key "
                    "available (gpg-agent, smartcard) and run again"
                )
            raw = completed.stdout
        return VaultState.from_json(raw.decode("utf-8", "replace"), str(self.path))

    def _encrypted_on_disk(self) -> bool:
        return self.path.is_file() and self.path.read_bytes().lstrip().startswith(_ARMOR.encode())

    def refuse_plaintext_rewrite(self) -> None:
        """An encrypted state file is never rewritten in plain text."""
        if not self.gpg_recipient and self._encrypted_on_disk():
            raise BadInput(
                f"--state-file {self.path} is GPG-encrypted: pass --state-gpg-recipient so "
                "it stays encrypted when the bootstrap updates it"
            )

    def save(self, state: VaultState) -> None:
        self.refuse_plaintext_rewrite()
        payload = state.to_json().encode()
        if self.gpg_recipient:
            completed = _gpg(_encrypt_args(self.gpg_recipient), payload)
            if completed.returncode != 0:
                raise OperationalError(
                    f"gpg could not encrypt the state file to {self.gpg_recipient!r}: "
                    f"{_gpg_reason(completed)}"
                )
            payload = completed.stdout
        write_atomic(self.path, payload)

    def rescue(self, state: VaultState) -> Path:
        """Last resort after `init` when the normal save failed: the reply in
        plain text, mode 0600, beside the state file. Losing it would lose
        the Vault; a plain file the operator is told about loses nothing."""
        path = self.path.with_name(f"{self.path.name}.rescue")
        write_atomic(path, state.to_json().encode())
        return path


def _encrypt_args(recipient: str) -> list[str]:
    return ["--encrypt", "--armor", "--trust-model", "always", "-r", recipient]


def _gpg_reason(completed: subprocess.CompletedProcess[bytes]) -> str:
    lines = completed.stderr.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else f"exit code {completed.returncode}"


def write_atomic(path: Path, payload: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    directory_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory_fd)
    finally:
        os.close(directory_fd)


def _gpg(arguments: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    executable = shutil.which("gpg")
    if executable is None:
        raise BadInput("--state-gpg-recipient needs gpg on PATH: install GnuPG or omit it")
    return subprocess.run(
        [executable, "--batch", "--yes", "--quiet", *arguments],
        input=stdin,
        capture_output=True,
        check=False,
    )
