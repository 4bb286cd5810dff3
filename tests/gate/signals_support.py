"""For the signal tests: one held-back cluster per module, a front API server that can stop a request half-way,
and what a stopped gate or run may not leave behind (cluster objects, processes, scratch folders)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gpusim.api import ApiServer
from gpusim.cluster import SimCluster
from gpusim.kubeconfig import write_kubeconfig
from gpusim.scenario import load
from gpusim.testing import TEST_ADDRESS_BLOCK, eventually, kubectl

from tests.suite.suite_runner import ROOT

NODE = "k8s-node06"
MANAGED = "app.kubernetes.io/managed-by=gpu-conformance"
# A vectoradd that never ends: the suite is busy until it is stopped.
BUSY = ("--vectoradd-image", "registry.k8s.io/pause:3.10", "--pod-timeout", "300")


@dataclass
class Pause:
    """Requests the front server holds until released: (verb, resource, name) and which occurrence (1st, 2nd)."""

    verb: str
    resource: str
    name: str
    occurrence: int
    seen: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class FrontServer:
    """A second API server over the cluster's store that holds chosen requests until the test lets them go:
    a gate reading its node, or sending its patch, is then caught there, deterministically."""

    def __init__(self, cluster: SimCluster, kubeconfig: Path) -> None:
        self._pauses: list[Pause] = []
        self._lock = threading.Lock()
        self.server = ApiServer(cluster.store, cluster.logs, cluster.scenario.version, token=cluster.token,
                                tls=None, authorizer=self._decide)
        self.server.start()
        write_kubeconfig(kubeconfig, self.server.url, cluster.token, None)
        self.kubeconfig = kubeconfig

    def _decide(self, user: str, verb: str, group: str, resource: str, subresource: str, namespace: str,
                name: str) -> bool:
        with self._lock:
            pause = next((p for p in self._pauses if (p.verb, p.resource, p.name) == (verb, resource, name)), None)
            if pause is not None:
                pause.seen += 1
        if pause is not None and pause.seen == pause.occurrence:
            pause.arrived.set()
            pause.release.wait(60)
        return True

    @contextmanager
    def pausing(self, verb: str, resource: str, name: str, occurrence: int = 1) -> Iterator[Pause]:
        pause = Pause(verb, resource, name, occurrence)
        with self._lock:
            self._pauses.append(pause)
        try:
            yield pause
        finally:
            pause.release.set()
            with self._lock:
                self._pauses.remove(pause)

    def stop(self) -> None:
        self.server.stop()


def held_back_cluster(workdir: Path) -> SimCluster:
    """The seed cluster with k8s-node06 cordoned, started."""
    scenario = workdir / "seed-held.yaml"
    scenario.write_text(json.dumps({"name": "seed-held", "base": "seed", "description": "node06 cordoned",
                                    "nodes": [{"name": NODE, "unschedulable": True}]}))
    cluster = SimCluster(load(str(scenario)), workdir / "seed-held.kubeconfig", port=0, time_scale=0.2,
                         address_block=TEST_ADDRESS_BLOCK)
    return cluster.start()


def command(kind: str, kubeconfig: Path, results: Path, *suite: str) -> list[str]:
    """``gpu-conformance gate NODE`` or ``gpu-conformance run`` on the GPU nodes (k8s-node06 for the gate)."""
    base = [sys.executable, "-m", "gpu_conformance", kind]
    if kind == "gate":
        base += [NODE, "--kubeconfig", str(kubeconfig), "--"]
    else:
        base += ["--results-dir", str(results), "--", "--kubeconfig", str(kubeconfig),
                 "--gpu-node-selector", "gpu-node=true"]
    return [*base, "-p", "no:cacheprovider", "-q", *suite]


def start(argv: list[str], scratch: Path) -> subprocess.Popen[str]:
    """Start it with its own TMPDIR, so the test sees every scratch folder it makes."""
    scratch.mkdir(exist_ok=True)
    return subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "TMPDIR": str(scratch)})


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def gone(pid: int) -> bool:
    """No such process (or only a zombie, which runs nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def suite_objects(cluster: SimCluster) -> list[str]:
    """The suite's pods, Jobs and Leases, anywhere."""
    return kubectl(cluster, "get", "pods,jobs,leases", "-A", "-l", MANAGED, "-o", "name").stdout.split()


def wait_for_jobs(cluster: SimCluster, process: subprocess.Popen[str]) -> None:
    """Until the suite's vectoradd Jobs exist: the suite is mid-way, with objects to clean up."""
    def jobs() -> bool:
        assert process.poll() is None, process.communicate()[0][-3000:]
        return any(name.startswith("job.batch/") for name in suite_objects(cluster))

    eventually(jobs, timeout=90, what="the suite's vectoradd Jobs")


def node_is_held(cluster: SimCluster) -> bool:
    node = json.loads(kubectl(cluster, "get", "node", NODE, "-o", "json").stdout)
    return bool(node["spec"].get("unschedulable")) and not any(
        key.startswith("gpu-conformance/") for key in node["metadata"].get("labels", {}))


def namespace_exists(cluster: SimCluster) -> bool:
    return kubectl(cluster, "get", "namespace", "gpu-conformance", check=False).returncode == 0


def send(process: subprocess.Popen[str], signum: signal.Signals) -> tuple[int, str]:
    """The signal to that process alone (not its group); its exit status and output."""
    os.kill(process.pid, signum)
    output, _ = process.communicate(timeout=120)
    return process.returncode, output


def leaves_nothing(cluster: SimCluster, scratch: Path) -> None:
    """Nothing of the suite left in the cluster (its namespace included: the suite made it), no scratch folder."""
    eventually(lambda: suite_objects(cluster) == [], timeout=30, what="the suite's objects deleted")
    eventually(lambda: not namespace_exists(cluster), timeout=30, what="the namespace the suite made deleted")
    assert list(scratch.iterdir()) == []


def wait_until(condition: threading.Event, process: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 90
    while not condition.wait(0.1):
        assert process.poll() is None, f"ended before {what}: {process.communicate()[0][-3000:]}"
        assert time.monotonic() < deadline, f"never reached: {what}"


def delivered(pid: int, signum: signal.Signals) -> bool:
    """The signal is no longer pending for the process: its handler has run (or is running)."""
    status = Path(f"/proc/{pid}/status").read_text()
    pending = [int(line.split()[1], 16) for line in status.splitlines() if line.startswith(("SigPnd", "ShdPnd"))]
    return not any(mask & (1 << (signum - 1)) for mask in pending)
