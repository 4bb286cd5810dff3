"""One simulated GPU cluster: API server, controllers, host roots and exporters, started and stopped together."""

from __future__ import annotations

import functools
import secrets
import shutil
import socket
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from .api import ApiServer
from .api.auth import ADMIN_USER
from .apiaccess import ApiAccess
from .bootstrap import bootstrap
from .controllers import ControllerManager
from .exporters import ExporterPool
from .hostroot import render_host_root
from .images import prefork
from .kubeconfig import write_kubeconfig
from .logs import LogStore
from .model import Scenario
from .store import Store
from .tls import make_tls


class SimStartError(Exception):
    """The cluster could not start, e.g. an address is taken; the message names what and where."""


class SimCluster:
    """Start with :meth:`start` (or ``with``); the kubeconfig is written once the API answers.

    ``start`` returns once the cluster has settled, like one that has been up a while: device
    plugins have registered their GPUs or are crash-looping.

    Everything binds to loopback only. ``stop`` releases every port, thread and file it made,
    the kubeconfig included: it holds a bearer token for a server that no longer exists.
    """

    def __init__(self, scenario: Scenario, kubeconfig: Path, *, host: str = "127.0.0.1", port: int = 0,
                 tls: bool = True, workdir: Path | None = None, time_scale: float = 1.0,
                 address_block: int = 0) -> None:
        self.scenario = relocated(scenario, address_block)
        self.kubeconfig = kubeconfig
        self.store = Store()
        self.logs = LogStore()
        self._host, self._port, self._tls, self._time_scale = host, port, tls, time_scale
        self._workdir_given = workdir
        self._workdir: Path | None = None
        self._token = secrets.token_urlsafe(32)
        self._api: ApiServer | None = None
        self._host_roots: HostRoots | None = None
        self._settle_timeout = 60.0
        self._url = ""
        self._ca_pem: bytes | None = None
        self._cleanups: list[Callable[[], None]] = []

    @property
    def url(self) -> str:
        return self._url

    @property
    def token(self) -> str:
        return self._token

    @property
    def ca_pem(self) -> bytes | None:
        """The throwaway CA that signed the API server's certificate (None for plain HTTP)."""
        return self._ca_pem

    @property
    def workdir(self) -> Path | None:
        """Where the cluster keeps its files (host roots) while it runs."""
        return self._workdir

    def api_requests(self, user: str = ADMIN_USER) -> int:
        """How many requests the API server has served to ``user`` (the kubeconfig's user by default)."""
        return 0 if self._api is None else self._api.ctx.requests_of(user)

    def api_request_log(self, user: str = ADMIN_USER) -> Counter[tuple[str, str]]:
        """(method, path without query) -> requests served to ``user`` so far; a watch's method is "WATCH"."""
        return Counter() if self._api is None else self._api.ctx.request_log(user)

    def host_root(self, node: str) -> Path:
        """The GPU node's host root directory (its files are rendered on first use)."""
        if self._host_roots is None:
            raise RuntimeError("the simulated cluster is not running")
        return self._host_roots[node]

    def start(self) -> SimCluster:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self._workdir = self._workdir_given or Path(tempfile.mkdtemp(prefix="gpu-sim-"))
        if self._workdir_given is None:
            workdir = self._workdir
            self._cleanups.append(lambda: shutil.rmtree(workdir, ignore_errors=True))
        prefork.serve_under(self._workdir)  # containers' zygotes, started on first use, stopped after the kubelets
        self._cleanups.append(functools.partial(prefork.stop_under, self._workdir))
        self._host_roots = host_roots = HostRoots(self.scenario, self._workdir / "hosts")
        self._cleanups.append(self._forget_host_roots)
        bootstrap(self.store, self.scenario)
        material = make_tls((self._host, "localhost")) if self._tls else None
        self._ca_pem = material.ca_pem if material else None
        access = ApiAccess()
        controllers = ControllerManager(self.store, self.logs, self.scenario, host_roots,
                                        time_scale=self._time_scale,
                                        root_ca=material.ca_pem.decode() if material else "",
                                        volumes_root=self._workdir / "volumes", pods_root=self._workdir / "pods",
                                        access=access)
        controllers.start()
        self._cleanups.append(controllers.stop)
        exporters = ExporterPool(self.scenario.nodes)
        try:
            exporters.start()
        except OSError as exc:
            raise SimStartError(exc.strerror or str(exc)) from exc
        self._cleanups.append(exporters.stop)
        if not controllers.wait_settled(self._settle_timeout):
            raise TimeoutError(f"simulated cluster {self.scenario.name!r} did not settle within "
                               f"{self._settle_timeout:g}s")
        if self.scenario.api_faults.unreachable:
            self._url = f"{'https' if material else 'http'}://{self._host}:{_unused_port(self._host)}"
        else:
            self._api = ApiServer(self.store, self.logs, self.scenario.version, token=self._token, tls=material,
                                  host=self._host, port=self._port, faults=self.scenario.api_faults,
                                  tokens=access.tokens, runtime_config=dict(self.scenario.runtime_config))
            try:
                self._api.start()
            except OSError as exc:
                raise SimStartError(f"API server cannot listen on {self._host}:{self._port}: "
                                    f"{exc.strerror or exc}") from exc
            self._cleanups.append(self._api.stop)
            self._url = self._api.url
        access.listening_at(self._url)
        write_kubeconfig(self.kubeconfig, self._url, self._token, material.ca_pem if material else None)
        kubeconfig = self.kubeconfig
        self._cleanups.append(lambda: kubeconfig.unlink(missing_ok=True))

    def _forget_host_roots(self) -> None:
        self._host_roots = None  # nothing renders into the work dir once it is removed

    def stop(self) -> None:
        """Idempotent; safe after a failed start."""
        while self._cleanups:
            self._cleanups.pop()()

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        """Poll ``condition`` until true; TimeoutError naming ``what`` otherwise."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"simulated cluster: {what} not reached within {timeout:g}s")
            time.sleep(0.05)

    def __enter__(self) -> SimCluster:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


class HostRoots(Mapping[str, Path]):
    """Each GPU node's host root, rendered from the ground truth the first time it is looked at.

    A node's disk exists from the start in a real cluster; rendering on first use gives the same
    view to everyone who looks (probe pods, tests) without writing a thousand trees up front.
    """

    def __init__(self, scenario: Scenario, base: Path) -> None:
        self._nodes = {node.name: node for node in scenario.gpu_nodes}
        self._base = base
        self._rendered: set[str] = set()
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> Path:
        node = self._nodes[name]
        root = self._base / name
        with self._lock:
            if name not in self._rendered:
                render_host_root(node, root)
                self._rendered.add(name)
        return root

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)


def relocated(scenario: Scenario, block: int) -> Scenario:
    """The scenario with node addresses moved from 127.0.x.y to 127.<block>.x.y (0: unchanged).

    Two simulated clusters on one machine need different node addresses for their exporters.
    """
    if not 0 <= block <= 255:
        raise ValueError(f"address block {block} is not in 0..255")
    if block == 0:
        return scenario

    def move(ip: str) -> str:
        octets = ip.split(".")
        return ".".join([octets[0], str(block), *octets[2:]]) if octets[1] == "0" else ip

    nodes = tuple(replace(node, internal_ip=move(node.internal_ip)) for node in scenario.nodes)
    return replace(scenario, nodes=nodes)


def _unused_port(host: str) -> int:
    """A port where nothing listens, for the `unreachable` fault: connections are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port
