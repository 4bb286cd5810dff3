"""A run killed outright (SIGKILL) while another runs: what it left is gone within the next run's first 10 s, the
next run says it is dead, each leftover is named by the run that removed it, and the live run's objects are left
alone; the live run, last out, removes the namespace."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from gpusim.cluster import SimCluster
from gpusim.testing import StartCluster, eventually, kubectl

from gpu_conformance.kube.run import RUN_ID
from tests.suite.suite_runner import ROOT

pytestmark = pytest.mark.e2e

# A vectoradd that never ends keeps a run busy (its Jobs exist) until it is stopped; the rerun's workload checks
# on k8s-node05 (two GPUs: one for the live run's pod, one once the killed run's is gone) pass in seconds.
BUSY = ("--gpu-node-selector", "gpu-node=true", "--vectoradd-image", "registry.k8s.io/pause:3.10",
        "--pod-timeout", "300")
# Not the security checks: SEC-POD-ISOLATION needs both GPUs free, and seed's SEC-*-NO-GPU fail by design.
QUICK = ("--gpu-node", "k8s-node05", "-m", "workload and not security")


def _suite(cluster: SimCluster, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pytest", "conformance", "--kubeconfig", str(cluster.kubeconfig),
                             "-p", "no:cacheprovider", "-q", *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _objects(cluster: SimCluster, run_id: str | None = None) -> dict[str, str]:
    """kind/name -> uid of the suite's pods, Jobs and Leases (of one run)."""
    selector = f"{RUN_ID}={run_id}" if run_id else RUN_ID
    found = json.loads(kubectl(cluster, "get", "pods,jobs,leases", "-A", "-l", selector, "-o", "json").stdout)
    return {f"{o['kind']}/{o['metadata']['name']}": o["metadata"]["uid"] for o in found["items"]}


def _busy_run(cluster: SimCluster, others: set[str]) -> tuple[subprocess.Popen[str], str]:
    """A run started and caught mid-way (its vectoradd Jobs exist); the process and its run id."""
    process = _suite(cluster, *BUSY)

    def new_run_with_jobs() -> str:
        assert process.poll() is None, process.communicate()[0][-3000:]
        ids = {name.split("-")[-1] for name in _objects(cluster) if name.startswith("Job/")}
        return next(iter(ids - others), "")

    return process, str(eventually(new_run_with_jobs, timeout=90, what="a run's vectoradd Jobs"))


def test_sigkill_then_rerun_removes_the_dead_runs_objects_at_once_and_never_a_live_ones(
        start_cluster: StartCluster) -> None:
    cluster = start_cluster("seed")
    live, live_id = _busy_run(cluster, set())
    killed, killed_id = _busy_run(cluster, {live_id})
    try:
        left = _objects(cluster, killed_id)
        killed.kill()
        killed.communicate(timeout=30)
        live_before = _objects(cluster, live_id)

        started = time.monotonic()
        rerun = _suite(cluster, *QUICK)
        eventually(lambda: not _objects(cluster, killed_id), timeout=20, what="the killed run's objects removed")
        removed_after = time.monotonic() - started
        output = rerun.communicate(timeout=120)[0]

        assert removed_after < 10, f"removed {removed_after:.1f} s after the rerun started"
        assert rerun.returncode == 0, output[-3000:]
        assert any(line.startswith(f"gpu-conformance: run {killed_id} is dead (its heartbeat stopped ")
                   for line in output.splitlines()), output[-3000:]
        assert _objects(cluster, live_id) == live_before  # the same objects, uids and all, the Lease included
        assert live.poll() is None
    finally:
        killed.kill()
        live.send_signal(signal.SIGTERM)
        live_output = live.communicate(timeout=60)[0]
    assert "KeyboardInterrupt: received SIGTERM" in live_output
    # Each leftover is said by the run that removed it: the live run's heartbeat also looks for dead runs (every
    # 6 s), and now and then its look comes between the Lease running out and the rerun's next one.
    for name in left:
        kind, short = name.split("/")
        if kind != "Lease":
            assert f"gpu-conformance: removed leftover of an earlier run: {kind} gpu-conformance/{short}" in (
                output + live_output)
    eventually(lambda: not _objects(cluster), timeout=30, what="the live run's objects removed at its end")
    eventually(lambda: kubectl(cluster, "get", "namespace", "gpu-conformance", check=False).returncode != 0,
               timeout=30, what="the namespace removed by the last run out")
