"""Cleanup: this run's objects go (after success, failure or SIGTERM); killed runs' leftovers go later."""

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

from gpu_conformance.kube.cleanup import cleanup, remove_leftovers
from gpu_conformance.kube.cluster import gpu_nodes
from gpu_conformance.kube.probe_pods import run_probes
from gpu_conformance.kube.run import RunContext
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
    assert cleanup(conn, settings, run) == [] and remove_leftovers(conn, settings) == []
    time.sleep(0.5)
    assert len(labelled(cluster, run)) == 2 and namespace_phase(cluster) == "Active"


def test_leftovers_of_killed_runs_are_removed_but_young_ones_kept(
    start_cluster: StartCluster, connect_to: Connect
) -> None:
    cluster = start_cluster("seed")
    conn, settings = connect_to(cluster, timeout=1.0)  # leftovers: other runs' objects older than 2 s
    nodes = gpu_nodes(conn, settings)
    killed, current = RunContext(), RunContext()
    run_probes(conn, settings, nodes, killed)
    time.sleep(3)
    young = RunContext()
    run_probes(conn, settings, nodes[:1], young)
    run_probes(conn, settings, nodes[:1], current)
    removed = remove_leftovers(conn, settings, current)
    assert sorted(removed) == [f"Pod gpu-conformance/probe-{n.name}-{killed.run_id}" for n in nodes]
    eventually(lambda: not labelled(cluster, killed), what="the killed run's pods deleted")
    assert len(labelled(cluster, young)) == 1 and len(labelled(cluster, current)) == 1


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
