"""Cleanup: this run's objects go (after success, failure or SIGTERM); dead runs' go at once, live runs' never."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from gpusim.cluster import SimCluster
from gpusim.testing import StartCluster, eventually, kubectl

from gpu_conformance.kube.cleanup import cleanup
from gpu_conformance.kube.cluster import gpu_nodes
from gpu_conformance.kube.heartbeat import Heartbeat
from gpu_conformance.kube.namespace import ensure_namespace
from gpu_conformance.kube.probe_pods import run_probes
from gpu_conformance.kube.run import LEASE_SECONDS, RunContext
from gpu_conformance.kube.workload import run_vectoradd

from .conftest import Connect

pytestmark = pytest.mark.e2e


def labelled(cluster: SimCluster, run: RunContext | str) -> list[str]:
    run_id = run.run_id if isinstance(run, RunContext) else run
    result = kubectl(
        cluster, "get", "jobs,pods", "-A", "-l", f"gpu-conformance/run-id={run_id}", "-o", "name"
    )
    return result.stdout.split()


def namespace_phase(cluster: SimCluster) -> str:
    result = kubectl(
        cluster, "get", "namespace", "gpu-conformance", "-o", "jsonpath={.status.phase}", check=False
    )
    return result.stdout if result.returncode == 0 else "gone"


def test_cleanup_after_success_removes_everything_and_the_namespace_it_made(
    start_cluster: StartCluster, connect_to: Connect
) -> None:
    cluster = start_cluster("seed")
    conn, settings = connect_to(cluster)
    nodes, run = gpu_nodes(conn, settings), RunContext()
    run_probes(conn, settings, nodes, run)
    run_vectoradd(conn, settings, nodes, run)
    assert len(labelled(cluster, run)) == 6  # 2 probe pods, 2 Jobs, 2 Job pods
    assert cleanup(conn, settings, run) == []
    eventually(lambda: not labelled(cluster, run), what="the run's objects deleted")
    eventually(lambda: namespace_phase(cluster) in ("Terminating", "gone"), what="the namespace deleted")


def test_cleanup_after_failure_keeps_a_namespace_that_was_there(
    start_cluster: StartCluster, connect_to: Connect
) -> None:
    cluster = start_cluster("image-unreachable")
    kubectl(
        cluster,
        "apply",
        "-f",
        "-",
        stdin=json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "gpu-conformance"}}),
    )
    conn, settings = connect_to(cluster)
    run = RunContext()
    outcomes = run_vectoradd(conn, settings, gpu_nodes(conn, settings), run)
    assert {o.result for o in outcomes.values()} == {"image_pull"}
    assert not run.created_namespace
    assert cleanup(conn, settings, run) == []
    eventually(lambda: not labelled(cluster, run), what="the stuck pods and their Jobs deleted")
    assert namespace_phase(cluster) == "Active"


def test_keep_resources_keeps_them(start_cluster: StartCluster, connect_to: Connect) -> None:
    cluster = start_cluster("seed")
    conn, settings = connect_to(cluster, keep_resources=True)
    run = RunContext()
    run_probes(conn, settings, gpu_nodes(conn, settings), run)
    assert cleanup(conn, settings, run) == []
    time.sleep(0.5)
    assert len(labelled(cluster, run)) == 2 and namespace_phase(cluster) == "Active"


def test_a_dead_runs_objects_go_at_once_a_live_runs_never(start_cluster: StartCluster, connect_to: Connect) -> None:
    cluster = start_cluster("seed")
    conn, settings = connect_to(cluster)
    nodes, namespace = gpu_nodes(conn, settings), settings.namespace
    live, killed, leaseless, current = RunContext(), RunContext(), RunContext(), RunContext()
    heartbeats = {}
    for run in (live, killed):
        ensure_namespace(conn, namespace, run)
        heartbeats[run.run_id] = Heartbeat(conn, namespace, run)
        heartbeats[run.run_id].start()
        run_probes(conn, settings, nodes, run)
    heartbeats[killed.run_id].stop()  # killed outright: no renewal, no cleanup
    run_probes(conn, settings, nodes[:1], leaseless)  # objects of no Lease (one deleted by hand, an old version)
    started = time.monotonic()
    heartbeat = Heartbeat(conn, namespace, current)
    heartbeat.start()  # returns once every other run is known alive or dead, the dead ones' objects removed
    waited = time.monotonic() - started
    try:
        assert waited <= LEASE_SECONDS + 3
        assert not labelled(cluster, killed) and not labelled(cluster, leaseless)
        assert len(labelled(cluster, live)) == 2 and lease_holders(cluster) == sorted([live.run_id, current.run_id])
        dead_killed = next(line for line in heartbeat.removed if line.startswith(f"run {killed.run_id} is dead"))
        assert dead_killed.startswith(f"run {killed.run_id} is dead (its heartbeat stopped ")
        assert f"run {leaseless.run_id} is dead (it has no heartbeat): removed 1 object(s) it left" in heartbeat.removed
        assert sorted(line for line in heartbeat.removed if line.startswith("removed leftover")) == sorted(
            f"removed leftover of an earlier run: Pod gpu-conformance/probe-{n.name}-{run.run_id}"
            for n, run in ((nodes[0], killed), (nodes[1], killed), (nodes[0], leaseless)))
        assert heartbeat.problems == []
    finally:
        heartbeat.stop()
        heartbeats[live.run_id].stop()


def lease_holders(cluster: SimCluster) -> list[str]:
    leases = kubectl(cluster, "get", "leases", "-n", "gpu-conformance", "-o", "json").stdout
    return sorted(lease["spec"]["holderIdentity"].split("@")[0] for lease in json.loads(leases)["items"])


SCRIPT = textwrap.dedent("""
    import sys
    from gpu_conformance.kube.cleanup import cleanup
    from gpu_conformance.kube.client import connect
    from gpu_conformance.kube.cluster import gpu_nodes
    from gpu_conformance.kube.run import RunContext
    from gpu_conformance.kube.signals import interrupts_unwind
    from gpu_conformance.kube.workload import run_vectoradd
    from gpu_conformance.settings import Settings

    settings = Settings(kubeconfig=sys.argv[1], timeout=120, vectoradd_image="registry.k8s.io/pause:3.9")
    conn = connect(settings)
    run = RunContext()
    print(run.run_id, flush=True)
    with interrupts_unwind():
        try:
            run_vectoradd(conn, settings, gpu_nodes(conn, settings), run)
        finally:
            print("cleaning up", flush=True)
            cleanup(conn, settings, run)
""")


def test_sigterm_mid_run_still_cleans_up(start_cluster: StartCluster) -> None:
    cluster = start_cluster("seed")
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(cluster.kubeconfig)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        run_id = process.stdout.readline().strip()
        assert run_id, process.stderr.read() if process.stderr else ""

        def running() -> bool:
            phases = kubectl(
                cluster,
                "get",
                "pods",
                "-n",
                "gpu-conformance",
                "-l",
                f"gpu-conformance/run-id={run_id}",
                "-o",
                "json",
            ).stdout
            return [p["status"].get("phase") for p in json.loads(phases)["items"]] == ["Running", "Running"]

        eventually(running, what="the run's vectoradd pods running")
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert "cleaning up" in out and "KeyboardInterrupt: received SIGTERM" in err
    eventually(lambda: not labelled(cluster, run_id), what="the interrupted run's objects deleted")
