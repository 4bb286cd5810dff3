"""200 GPU nodes: probes and vectoradd finish in seconds; list and watch calls do not grow with nodes."""

from __future__ import annotations

import dataclasses
import time

import pytest
from gpusim.scenario import load, scaled
from gpusim.testing import StartCluster

from gpu_conformance.kube.cleanup import cleanup
from gpu_conformance.kube.cluster import gpu_nodes
from gpu_conformance.kube.probe_pods import run_probes
from gpu_conformance.kube.run import RunContext
from gpu_conformance.kube.workload import run_vectoradd

from .conftest import Connect, count_requests

pytestmark = pytest.mark.e2e

# The project's probe image runs a real Python process per node; on a small CI machine 200 of them
# measure its CPUs, not the suite. Unpullable, every probe pod is still created, watched and decided.
NO_PROBE_IMAGE = dataclasses.replace(load("seed"), unreachable_images=("ghcr.io/gpu-conformance/*",))


def gather(start_cluster: StartCluster, connect_to: Connect, gpu_node_count: int) -> dict[str, float]:
    cluster = start_cluster(scaled(NO_PROBE_IMAGE, gpu_node_count))
    conn, settings = connect_to(cluster, timeout=60.0)
    log = count_requests(conn)
    run = RunContext()
    nodes = gpu_nodes(conn, settings)
    assert len(nodes) == gpu_node_count
    started = time.monotonic()
    probes = run_probes(conn, settings, nodes, run)
    probe_seconds = time.monotonic() - started
    assert all(o.error is not None and "could not be pulled" in o.error for o in probes.values())
    started = time.monotonic()
    workloads = run_vectoradd(conn, settings, nodes, run)
    workload_seconds = time.monotonic() - started
    assert [o.result for o in workloads.values()].count("passed") == gpu_node_count
    assert cleanup(conn, settings, run) == []
    cluster.stop()
    return {
        "lists": log.count("GET"),
        "watches": log.count("GET", watch=True),
        "deletes": log.count("DELETE"),
        "probe_seconds": probe_seconds,
        "workload_seconds": workload_seconds,
    }


def test_calls_per_kind_do_not_grow_with_nodes(start_cluster: StartCluster, connect_to: Connect) -> None:
    small = gather(start_cluster, connect_to, 20)
    large = gather(start_cluster, connect_to, 200)
    # GETs other than log reads: log reads are per pod by nature (only vectoradd's, one per finished pod).
    assert large["lists"] - 200 == small["lists"] - 20
    assert large["watches"] == small["watches"] <= 4
    assert large["deletes"] == small["deletes"]
    assert large["probe_seconds"] < 15 and large["workload_seconds"] < 20, large
