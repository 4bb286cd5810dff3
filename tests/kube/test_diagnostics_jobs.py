"""The diagnostics' Jobs: each pod holds every GPU the node advertises, so one GPU held by another pod keeps it
from running there (said, not waited out); dcgmi's non-zero exit with its JSON is a diagnosis, read."""

from __future__ import annotations

import json

import pytest
from gpusim.testing import StartCluster, eventually, kubectl

from gpu_conformance.facts.diagnostics import PerfProbe
from gpu_conformance.kube.cluster import gpu_nodes
from gpu_conformance.kube.diagnostics import run_bandwidth, run_dcgm_diag
from gpu_conformance.kube.run import RunContext

from .conftest import Connect

pytestmark = pytest.mark.e2e
PERF_IMAGE = "registry.example/gpu/cuda-perf:12.4"


def test_one_gpu_held_elsewhere_keeps_the_all_gpu_probe_off_that_node(start_cluster: StartCluster,
                                                                      connect_to: Connect) -> None:
    cluster = start_cluster("seed")
    hog = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "training", "namespace": "default"},
           "spec": {"nodeSelector": {"kubernetes.io/hostname": "k8s-node05"},
                    "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                    "containers": [{"name": "train", "image": "registry.k8s.io/pause:3.9",
                                    "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}}
    kubectl(cluster, "apply", "-f", "-", stdin=json.dumps(hog))
    eventually(lambda: kubectl(cluster, "get", "pod", "training", "-o", "jsonpath={.status.phase}").stdout
               == "Running", what="the GPU-holding pod running")
    conn, settings = connect_to(cluster, perf=True, perf_image=PERF_IMAGE)
    probes = run_bandwidth(conn, settings, gpu_nodes(conn, settings), RunContext())
    busy = probes["k8s-node05"]
    assert isinstance(busy, PerfProbe) and busy.measured is None
    assert (busy.job.result, busy.job.detail) == (
        "gpus_busy", "1 of 2 nvidia.com/gpu of k8s-node05 are in use by other pods (default/training); bandwidthTest "
                     "not run")
    ran = probes["k8s-node06"]
    assert isinstance(ran, PerfProbe) and ran.measured is not None and ran.job.result == "passed"


def test_a_failing_diagnostic_is_read_not_taken_for_a_broken_job(start_cluster: StartCluster,
                                                                connect_to: Connect) -> None:
    cluster = start_cluster("dcgm-diag-memory-fail")
    conn, settings = connect_to(cluster, dcgm_diag="1")
    diags = run_dcgm_diag(conn, settings, gpu_nodes(conn, settings), RunContext())
    failing = diags["k8s-node05"]
    assert not isinstance(failing, Exception) and failing.report is not None
    assert (failing.job.result, failing.job.detail) == ("failed", "exit code 226: }")
    assert [(r.test, r.gpu, r.status) for r in failing.report.results] == [("software", 0, "Fail"),
                                                                           ("software", 1, "Pass")]
    passing = diags["k8s-node06"]
    assert not isinstance(passing, Exception) and passing.job.result == "passed"
