"""A live Kubernetes cluster made of real upstream components, for the e2e tier.

etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok (fake
nodes: pods become Running and Ready without a container runtime) and Flux's
source-, kustomize-, helm- and notification-controller run as local
processes on loopback ports, as controller-runtime's envtest runs its control
plane. The binaries come from `scripts/engines.sh` (built from the Go modules
pinned under engines/, cached by those pins); the CRDs and kwok's stages from
tests/data/crds/ (vendored by scripts/refresh-crds.sh). Beside the cluster, a
loopback HTTP server serves bare Git repositories (git http-backend) and a
Helm repository holding charts/wildside, over HTTPS with a certificate of
the harness CA, which the Flux controllers trust (SSL_CERT_FILE).

    PYTHONPATH=tests python -m support.cluster up|down|env|apps [--state DIR]

Everything lives in one state directory: pki/, kubeconfig, logs/<process>.log,
cluster.json (ports and process ids), git/ (bare repositories), charts/.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CRDS_DIR = REPO_ROOT / "tests" / "data" / "crds"
CHART_DIR = REPO_ROOT / "charts" / "wildside"
ENGINE_GROUPS = (
    "kubernetes",
    "flux/source-controller",
    "flux/kustomize-controller",
    "flux/helm-controller",
    "flux/notification-controller",
)
BINARIES = (
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kwok",
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
)
FLUX_NAMESPACE = "flux-system"
SERVICE_CIDR = "10.96.0.0/16"
ISSUER = "https://kubernetes.default.svc.cluster.local"
PREVIEW_POOL = {"wildside.dev/pool": "previews"}
PREVIEW_TAINT = {"key": "wildside.dev/preview", "value": "true", "effect": "NoSchedule"}

T = TypeVar("T")


class HarnessError(RuntimeError):
    """The cluster could not be built or started; the message says where to look."""


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} cluster: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- engines


def engine_binaries() -> dict[str, Path]:
    """Paths of every binary the harness runs, built (or found in the cache)
    by scripts/engines.sh. WILDSIDE_ENGINES_BIN (directories separated by
    ':') points at binaries built elsewhere instead."""
    override = os.environ.get("WILDSIDE_ENGINES_BIN")
    if override:
        dirs = [Path(d) for d in override.split(":") if d]
    else:
        completed = subprocess.run(
            ["bash", str(REPO_ROOT / "scripts" / "engines.sh"), *ENGINE_GROUPS],
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise HarnessError(
                f"scripts/engines.sh failed (exit {completed.returncode}); its progress is above"
            )
        dirs = [Path(line) for line in completed.stdout.split()]
    found: dict[str, Path] = {}
    for name in BINARIES:
        for directory in dirs:
            if (directory / name).is_file():
                found[name] = directory / name
                break
        else:
            raise HarnessError(f"engine binary {name} not found in {[str(d) for d in dirs]}")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    check: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    interval: float = 0.25,
    detail: Callable[[], str] | None = None,
) -> T:
    """Poll `check` until it returns something other than None/False."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            result = check()
        except (httpx.HTTPError, OSError) as error:
            result, last_error = None, error
        if result is not None and result is not False:
            return result
        if time.monotonic() > deadline:
            extra = detail() if detail else ""
            raise AssertionError(
                f"timed out after {timeout:.0f}s waiting for {what}"
                + (f" (last error: {last_error})" if last_error else "")
                + (f"\n{extra}" if extra else "")
            )
        time.sleep(interval)


# --------------------------------------------------------------------------- PKI


def _openssl(*args: str, cwd: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise HarnessError("openssl is not installed (apt-get install openssl)")
    subprocess.run([openssl, *args], cwd=cwd, check=True, capture_output=True)


def make_pki(pki: Path) -> None:
    """A throwaway CA, the API server's serving certificate, an admin client
    certificate (group system:masters) and the service-account signing key."""
    pki.mkdir(parents=True, exist_ok=True)
    os.chmod(pki, 0o700)
    _openssl(
        "req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-days", "30",
        "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=wildside-harness-ca",
        cwd=pki,
    )  # fmt: skip
    sans = ",".join(
        [
            "IP:127.0.0.1",
            "IP:10.96.0.1",
            "DNS:localhost",
            "DNS:kubernetes",
            "DNS:kubernetes.default",
            "DNS:kubernetes.default.svc",
            "DNS:kubernetes.default.svc.cluster.local",
        ]
    )
    for name, subject, extensions in (
        ("apiserver", "/CN=kube-apiserver", f"subjectAltName={sans}\nextendedKeyUsage=serverAuth"),
        ("admin", "/O=system:masters/CN=wildside-admin", "extendedKeyUsage=clientAuth"),
        (
            "loopback",
            "/CN=wildside-loopback-sources",
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth",
        ),
    ):
        (pki / f"{name}.ext").write_text(extensions + "\n")
        _openssl(
            "req", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", f"{name}.key",
            "-out", f"{name}.csr", "-subj", subject,
            cwd=pki,
        )  # fmt: skip
        _openssl(
            "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "30", "-out", f"{name}.crt", "-extfile", f"{name}.ext",
            cwd=pki,
        )  # fmt: skip
    _openssl("genrsa", "-out", "sa.key", "2048", cwd=pki)
    _openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=pki)


def admin_tls(pki: Path) -> ssl.SSLContext:
    """TLS for the admin: trusts the harness CA, presents the admin certificate."""
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
    return context


def write_kubeconfig(path: Path, server: str, pki: Path) -> None:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "wildside-harness",
                "cluster": {"server": server, "certificate-authority": str(pki / "ca.crt")},
            }
        ],
        "users": [
            {
                "name": "wildside-admin",
                "user": {
                    "client-certificate": str(pki / "admin.crt"),
                    "client-key": str(pki / "admin.key"),
                },
            }
        ],
        "contexts": [
            {
                "name": "wildside-harness",
                "context": {"cluster": "wildside-harness", "user": "wildside-admin"},
            }
        ],
        "current-context": "wildside-harness",
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    path.chmod(0o600)


# --------------------------------------------------------------------------- cluster


@dataclass
class ClusterInfo:
    """What `up` records in cluster.json, so `down` and other processes can
    find the cluster."""

    state: str
    api_url: str
    kubeconfig: str
    etcd_url: str
    http_url: str
    receiver_url: str
    source_storage: str
    pids: dict[str, int] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)


class Cluster:
    """A running harness cluster: its API, its loopback Git and Helm
    sources, and the logs of every process."""

    def __init__(self, info: ClusterInfo) -> None:
        self.info = info
        self.state = Path(info.state)
        self.kubeconfig = Path(info.kubeconfig)
        self.pki = self.state / "pki"
        self.git_root = self.state / "git"
        self.charts_root = self.state / "charts"
        self.http = httpx.Client(base_url=info.api_url, verify=admin_tls(self.pki), timeout=30)

    @classmethod
    def load(cls, state: Path) -> Cluster:
        data = json.loads((state / "cluster.json").read_text())
        return cls(ClusterInfo(**data))

    # ---- URLs
    @property
    def git_url(self) -> str:
        return f"{self.info.http_url}/git"

    @property
    def charts_url(self) -> str:
        return f"{self.info.http_url}/charts/"

    def bare_repo(self, name: str) -> tuple[Path, str]:
        """A new bare repository served over HTTP: (path for pushes, URL for Flux)."""
        path = self.git_root / f"{name}.git"
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
        return path, f"{self.git_url}/{name}.git"

    # ---- API
    def get(self, path: str) -> dict[str, Any] | None:
        response = self.http.get(path)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def items(self, path: str) -> list[dict[str, Any]]:
        found = self.get(path)
        return list(found["items"]) if found else []

    def kubectl(
        self, *args: str, input: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        kubectl = shutil.which(
            "kubectl", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}"
        )
        if kubectl is None:
            raise HarnessError("kubectl is missing: run scripts/test.sh, which installs it")
        completed = subprocess.run(
            [kubectl, "--kubeconfig", str(self.kubeconfig), *args],
            input=input,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and completed.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed:\n{completed.stderr}")
        return completed

    def apply(self, objects: Iterable[dict[str, Any]] | str, *, dry_run: bool = False) -> str:
        """Server-side apply (optionally a server-side dry run) as a user would."""
        text = objects if isinstance(objects, str) else yaml.safe_dump_all(list(objects))
        args = ["apply", "--server-side", "--force-conflicts", "--field-manager=wildside-e2e"]
        if dry_run:
            args.append("--dry-run=server")
        return self.kubectl(*args, "-f", "-", input=text).stdout

    def condition(self, obj: dict[str, Any] | None, kind: str = "Ready") -> dict[str, Any] | None:
        if not obj:
            return None
        for condition in obj.get("status", {}).get("conditions", []):
            if condition.get("type") == kind:
                return dict(condition)
        return None

    def is_ready(self, path: str) -> bool:
        """Ready=True for the object's current generation."""
        obj = self.get(path)
        ready = self.condition(obj)
        return bool(
            obj
            and ready
            and ready["status"] == "True"
            and obj.get("status", {}).get("observedGeneration", -1)
            >= obj["metadata"].get("generation", 0)
        )

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.state / "logs" / f"{name}.log"
        if not path.is_file():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def close(self) -> None:
        self.http.close()


class ClusterBuilder:
    """Starts every process in order and waits for each to be ready."""

    def __init__(self, state: Path, binaries: dict[str, Path]) -> None:
        self.state = state.resolve()
        self.binaries = binaries
        self.logs = self.state / "logs"
        self.pids: dict[str, int] = {}
        self.ports: dict[str, int] = {}

    def port(self, name: str) -> int:
        self.ports[name] = free_port()
        return self.ports[name]

    def spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        with (self.logs / f"{name}.log").open("ab") as out:
            process = subprocess.Popen(
                [str(self.binaries.get(name, name)), *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                cwd=self.state,
                start_new_session=True,
            )
        self.pids[name] = process.pid
        self._record()

    def alive(self, name: str) -> bool:
        try:
            pid, _status = os.waitpid(self.pids[name], os.WNOHANG)
        except ChildProcessError:
            return _pid_alive(self.pids[name])
        return pid == 0

    def wait_http(self, name: str, url: str, timeout: float = 60, **client: Any) -> None:
        def ready() -> bool:
            if not self.alive(name):
                raise HarnessError(
                    f"{name} exited during start-up; see {self.logs / (name + '.log')}:\n"
                    + "\n".join(
                        (self.logs / f"{name}.log").read_text(errors="replace").splitlines()[-20:]
                    )
                )
            with httpx.Client(timeout=2, **client) as http:
                return http.get(url).status_code == 200

        wait_until(ready, timeout=timeout, what=f"{name} at {url}")

    def _record(self, **extra: Any) -> None:
        path = self.state / "pids.json"
        path.write_text(json.dumps(self.pids))

    def start(self) -> Cluster:
        started = time.monotonic()
        state = self.state
        state.mkdir(parents=True, exist_ok=True)
        pki = state / "pki"
        make_pki(pki)
        for sub in ("git", "charts", "source-storage", "etcd", "home"):
            (state / sub).mkdir(exist_ok=True)

        # etcd
        etcd_port, peer_port = self.port("etcd"), self.port("etcd-peer")
        etcd_url = f"http://127.0.0.1:{etcd_port}"
        log("starting etcd")
        self.spawn(
            "etcd",
            [
                "--name=harness",
                f"--data-dir={state / 'etcd'}",
                f"--listen-client-urls={etcd_url}",
                f"--advertise-client-urls={etcd_url}",
                f"--listen-peer-urls=http://127.0.0.1:{peer_port}",
                f"--initial-advertise-peer-urls=http://127.0.0.1:{peer_port}",
                f"--initial-cluster=harness=http://127.0.0.1:{peer_port}",
                "--unsafe-no-fsync",
                "--log-level=warn",
            ],
        )
        self.wait_http("etcd", f"{etcd_url}/health")

        # kube-apiserver
        api_port = self.port("kube-apiserver")
        api_url = f"https://127.0.0.1:{api_port}"
        log("starting kube-apiserver")
        self.spawn(
            "kube-apiserver",
            [
                f"--etcd-servers={etcd_url}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={api_port}",
                f"--cert-dir={state / 'apiserver-certs'}",
                f"--tls-cert-file={pki / 'apiserver.crt'}",
                f"--tls-private-key-file={pki / 'apiserver.key'}",
                f"--client-ca-file={pki / 'ca.crt'}",
                "--authorization-mode=RBAC",
                f"--service-account-issuer={ISSUER}",
                f"--api-audiences={ISSUER}",
                f"--service-account-key-file={pki / 'sa.pub'}",
                f"--service-account-signing-key-file={pki / 'sa.key'}",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                "--allow-privileged=true",
                "--profiling=false",
                "--v=0",
            ],
        )
        self.wait_http("kube-apiserver", f"{api_url}/readyz", timeout=90, verify=admin_tls(pki))
        kubeconfig = state / "kubeconfig"
        write_kubeconfig(kubeconfig, api_url, pki)
        kube_env = {"KUBECONFIG": str(kubeconfig), "HOME": str(state / "home")}

        log("starting kube-controller-manager, kube-scheduler and kwok")
        self.spawn(
            "kube-controller-manager",
            [
                f"--kubeconfig={kubeconfig}",
                "--leader-elect=false",
                "--secure-port=0",
                f"--service-account-private-key-file={pki / 'sa.key'}",
                f"--root-ca-file={pki / 'ca.crt'}",
                "--use-service-account-credentials=false",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                # kwok renews the fake nodes' leases; on a loaded 2-core machine a
                # renewal can come late, and a node marked NotReady gets its pods
                # marked NotReady, which kwok's stages never undo (no kubelet).
                "--node-monitor-grace-period=10m",
                "--concurrent-deployment-syncs=20",
                "--concurrent-replicaset-syncs=20",
                "--concurrent-namespace-syncs=20",
                "--concurrent-gc-syncs=40",
                "--kube-api-qps=200",
                "--kube-api-burst=400",
            ],
        )
        self.spawn(
            "kube-scheduler",
            [
                f"--kubeconfig={kubeconfig}",
                "--leader-elect=false",
                "--secure-port=0",
                "--kube-api-qps=200",
                "--kube-api-burst=400",
            ],
        )
        stages = state / "kwok-stages.yaml"
        stages.write_text(
            "\n---\n".join(p.read_text() for p in sorted((CRDS_DIR / "kwok").glob("*.yaml")))
        )
        self.spawn(
            "kwok",
            [
                f"--kubeconfig={kubeconfig}",
                f"--config={stages}",
                "--manage-all-nodes=false",
                "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                "--cidr=10.0.0.1/16",
                "--node-ip=10.0.0.1",
            ],
            env=kube_env,
        )
        cluster_info = ClusterInfo(
            state=str(state),
            api_url=api_url,
            kubeconfig=str(kubeconfig),
            etcd_url=etcd_url,
            http_url="",
            receiver_url="",
            source_storage="",
        )
        cluster = Cluster(cluster_info)
        create_nodes(cluster)
        log("installing the CRDs")
        install_crds(cluster)

        # Loopback Git + Helm repository
        http_port = self.port("loopback-http")
        http_url = f"https://127.0.0.1:{http_port}"
        publish_chart(state / "charts", f"{http_url}/charts")
        self.binaries["loopback-http"] = Path(sys.executable)
        self.spawn(
            "loopback-http",
            [
                str(Path(__file__).with_name("loopback_http.py")),
                f"--port={http_port}",
                f"--git-root={state / 'git'}",
                f"--static={state / 'charts'}",
                f"--tls-cert={pki / 'loopback.crt'}",
                f"--tls-key={pki / 'loopback.key'}",
            ],
        )
        self.wait_http("loopback-http", f"{http_url}/charts/index.yaml", verify=admin_tls(pki))

        # Flux
        log("starting Flux's source-, kustomize-, helm- and notification-controller")
        cluster.apply(
            [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": FLUX_NAMESPACE}}]
        )
        events_port, receiver_port = self.port("flux-events"), self.port("flux-receiver")
        storage_port = self.port("source-storage")
        events = f"http://127.0.0.1:{events_port}"
        # The loopback sources' certificate comes from the harness CA: Go trusts
        # it through SSL_CERT_FILE, as a cluster trusts a private CA bundle.
        flux_env = {
            **kube_env,
            "RUNTIME_NAMESPACE": FLUX_NAMESPACE,
            "TMPDIR": str(state / "home"),
            "SSL_CERT_FILE": str(pki / "ca.crt"),
        }
        health: dict[str, str] = {}
        for name, extra in (
            (
                "source-controller",
                [
                    f"--storage-path={state / 'source-storage'}",
                    f"--storage-addr=127.0.0.1:{storage_port}",
                    f"--storage-adv-addr=127.0.0.1:{storage_port}",
                    f"--events-addr={events}",
                    "--concurrent=10",
                    "--requeue-dependency=5s",
                ],
            ),
            (
                "kustomize-controller",
                [f"--events-addr={events}", "--concurrent=20", "--requeue-dependency=5s"],
            ),
            (
                "helm-controller",
                [f"--events-addr={events}", "--concurrent=20", "--requeue-dependency=5s"],
            ),
            (
                "notification-controller",
                [
                    f"--events-addr=127.0.0.1:{events_port}",
                    f"--receiverAddr=127.0.0.1:{receiver_port}",
                ],
            ),
        ):
            health_port = self.port(f"{name}-health")
            health[name] = f"http://127.0.0.1:{health_port}/readyz"
            self.spawn(
                name,
                [
                    f"--metrics-addr=127.0.0.1:{self.port(name + '-metrics')}",
                    f"--health-addr=127.0.0.1:{health_port}",
                    "--log-level=info",
                    *extra,
                ],
                env=flux_env,
            )
        for name, url in health.items():
            self.wait_http(name, url, timeout=90)

        cluster_info.http_url = http_url
        cluster_info.receiver_url = f"http://127.0.0.1:{receiver_port}"
        cluster_info.source_storage = f"http://127.0.0.1:{storage_port}"
        cluster_info.pids = self.pids
        cluster_info.ports = self.ports
        (state / "cluster.json").write_text(json.dumps(asdict(cluster_info), indent=2))
        wait_until(
            lambda: cluster.get("/api/v1/namespaces/default/serviceaccounts/default"),
            timeout=60,
            what="kube-controller-manager to create the default service account",
        )
        for name in self.pids:
            if not self.alive(name):
                raise HarnessError(
                    f"{name} exited; see {self.logs / (name + '.log')}:\n"
                    + Cluster(cluster_info).log_tail(name, 20)
                )
        log(f"ready in {time.monotonic() - started:.1f}s: {api_url}")
        return cluster


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def create_nodes(cluster: Cluster, previews: int = 3, core: int = 1) -> None:
    """Fake nodes that kwok manages: a core pool and a tainted previews pool
    (the node selector and toleration preview pods carry)."""

    def node(name: str, labels: dict[str, str], taints: list[dict[str, str]]) -> dict[str, Any]:
        capacity = {"cpu": "64", "memory": "256Gi", "pods": "1000"}
        return {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
                "labels": {
                    "kubernetes.io/hostname": name,
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    "type": "kwok",
                    **labels,
                },
            },
            "spec": {"taints": taints},
            "status": {"capacity": capacity, "allocatable": capacity},
        }

    nodes = [node(f"core-{i}", {"wildside.dev/pool": "core"}, []) for i in range(core)]
    nodes += [node(f"previews-{i}", PREVIEW_POOL, [PREVIEW_TAINT]) for i in range(previews)]
    cluster.kubectl("create", "-f", "-", input=yaml.safe_dump_all(nodes))

    def all_ready() -> bool:
        found = cluster.items("/api/v1/nodes")
        ready = [n for n in found if (cluster.condition(n) or {}).get("status") == "True"]
        return len(ready) == len(nodes)

    wait_until(all_ready, timeout=60, what="kwok to make the fake nodes Ready")


def crd_files() -> list[Path]:
    """Every vendored CRD file (kwok's stages and ESO's kustomization.yaml aside).
    The files go to kubectl unparsed: some hold YAML that PyYAML misreads."""
    return [
        path
        for path in sorted(CRDS_DIR.glob("*/*.y*ml"))
        if path.parent.name != "kwok" and path.name != "kustomization.yaml"
    ]


def install_crds(cluster: Cluster) -> None:
    args = [arg for path in crd_files() for arg in ("-f", str(path))]
    cluster.kubectl("apply", "--server-side", "--field-manager=wildside-e2e", *args)
    cluster.kubectl("wait", "--for=condition=Established", "--timeout=120s", "crd", "--all")


def publish_chart(directory: Path, base_url: str) -> None:
    """charts/wildside packaged and indexed with Helm's own code (helm-python-sdk)."""
    import helm_python as helm

    directory.mkdir(parents=True, exist_ok=True)
    helm.package(str(CHART_DIR), destination=str(directory))
    helm.repo_index_generate(str(directory), base_url=base_url)


# --------------------------------------------------------------------------- up/down


def stop(state: Path, *, grace: float = 3) -> None:
    """Stop every process of the cluster in `state` (reverse start order)."""
    pids_file = state / "pids.json"
    if not pids_file.is_file():
        return
    pids: dict[str, int] = json.loads(pids_file.read_text())
    for _name, pid in reversed(list(pids.items())):
        if _pid_alive(pid):
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
    deadline = time.monotonic() + grace
    for pid in pids.values():
        while _pid_alive(pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.1)
        if _pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    pids_file.unlink()
    # etcd preallocates its WAL (over 100 MB); the logs stay for a post-mortem.
    shutil.rmtree(state / "etcd", ignore_errors=True)


def start(state: Path) -> Cluster:
    if (state / "pids.json").exists():
        stop(state)
    if state.exists():
        shutil.rmtree(state)
    binaries = engine_binaries()
    builder = ClusterBuilder(state, binaries)
    try:
        return builder.start()
    except BaseException:
        stop(state)
        raise


def main() -> None:
    parser = argparse.ArgumentParser(description="The wildside live-cluster harness.")
    parser.add_argument("command", choices=["up", "down", "env", "apps"])
    parser.add_argument(
        "--state",
        type=Path,
        default=Path(os.environ.get("WILDSIDE_CLUSTER_DIR", REPO_ROOT / ".wildside" / "cluster")),
    )
    args = parser.parse_args()
    state: Path = args.state.resolve()
    if args.command == "down":
        stop(state)
        log(f"stopped the cluster in {state}")
        return
    if args.command == "up":
        try:
            cluster = start(state)
        except HarnessError as error:
            sys.exit(f"cluster: {error}")
    elif not (state / "pids.json").is_file():
        print(f"cluster: no cluster running in {state}; run scripts/cluster.sh up", file=sys.stderr)
        sys.exit(2)
    else:
        cluster = Cluster.load(state)
    if args.command == "apps":
        print_apps(cluster)
        return
    info = cluster.info
    print(
        f"""export KUBECONFIG={info.kubeconfig}
# kubectl get nodes; kubectl -n flux-system get gitrepositories,kustomizations,helmreleases
# Git for Flux:          {info.http_url}/git/<name>.git  (bare repositories in {state / "git"};
#                         git -c http.sslCAInfo={state / "pki" / "ca.crt"} clone ...)
# Helm repository:       {info.http_url}/charts/  (charts/wildside)
# Flux webhook receiver: {info.receiver_url}/hook/<Receiver status.webhookPath>
# Logs: {state / "logs"}/<process>.log;  stop: scripts/cluster.sh down"""
    )


def print_apps(cluster: Cluster) -> None:
    """What the e2e tests reconcile, on the running cluster: a served
    wildside-apps repository after `apps init`, its GitRepository (polled every
    minute), the Receiver and the `previews` Kustomization."""
    from support.gitops_env import start_apps_environment  # imports this module

    workdir = cluster.state / "apps"
    repo, cache = cluster.git_root / "wildside-apps.git", workdir / "cache"
    if not repo.exists():  # a second `apps` only prints the lines again
        start_apps_environment(cluster, workdir, interval="1m")
    log("wildside-apps is served and Flux reconciles its previews")
    print(
        f"""export WILDSIDE_CACHE_DIR={cache}
.venv/bin/wildside preview up --repo {repo} --pr 1 --sha {"0" * 40}
# within a minute (or at once: kubectl -n flux-system annotate gitrepository wildside-apps
#   reconcile.fluxcd.io/requestedAt="$(date +%s)" --overwrite):
# kubectl -n flux-system get kustomizations; kubectl -n wildside-pr-1 get helmrelease,pods
.venv/bin/wildside preview down --repo {repo} --pr 1"""
    )


if __name__ == "__main__":
    main()
