"""vectoradd Jobs: one per GPU node, all at once, one watch; each node's outcome with the evidence."""

from __future__ import annotations

import json

import pytest
from gpusim.testing import StartCluster, eventually, kubectl

from gpu_conformance.kube.cluster import gpu_nodes
from gpu_conformance.kube.run import RunContext
from gpu_conformance.kube.workload import run_vectoradd

from .conftest import Connect, count_requests

pytestmark = pytest.mark.e2e


def test_seed_passes_on_both_nodes_with_one_watch(start_cluster: StartCluster, connect_to: Connect) -> None:
    cluster = start_cluster("seed")
    conn, settings = connect_to(cluster)
    nodes, run = gpu_nodes(conn, settings), RunContext()
    log = count_requests(conn)
    outcomes = run_vectoradd(conn, settings, nodes, run)
    for name in ("k8s-node05", "k8s-node06"):
        outcome = outcomes[name]
        assert (outcome.result, outcome.detail, outcome.image) == (
            "passed",
            "Test PASSED",
            settings.vectoradd_image,
        )
        assert outcome.pod is not None and outcome.pod.startswith(
            f"gpu-conformance/vectoradd-{name}-{run.run_id}-"
        )
        assert "Test PASSED" in outcome.log
        assert outcome.events == ()  # a pod that succeeded is explained by its log: no events read
    assert log.count("GET", watch=True, path_suffix="/pods") == 1
    assert log.count("POST", path_suffix="/jobs") == 2
    assert log.count("GET", path_suffix="/events") == 0
    job = json.loads(
        kubectl(
            cluster, "get", "job", "-n", "gpu-conformance", f"vectoradd-k8s-node06-{run.run_id}", "-o", "json"
        ).stdout
    )
    spec, pod_spec = job["spec"], job["spec"]["template"]["spec"]
    assert (spec["backoffLimit"], spec["ttlSecondsAfterFinished"]) == (0, 60)
    assert pod_spec["nodeSelector"] == {"kubernetes.io/hostname": "k8s-node06"} and "nodeName" not in pod_spec
    assert pod_spec["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    ]
    assert pod_spec["containers"][0]["resources"]["limits"] == {"nvidia.com/gpu": "1"}
    assert "runtimeClassName" not in pod_spec


def test_old_driver_is_a_cuda_error(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("driver-too-old"))
    outcomes = run_vectoradd(conn, settings, gpu_nodes(conn, settings), RunContext())
    assert outcomes["k8s-node05"].result == "passed"
    broken = outcomes["k8s-node06"]
    assert broken.result == "cuda_error"
    assert broken.detail == (
        "Failed to allocate device vector A "
        "(error code CUDA driver version is insufficient for CUDA runtime version)!"
    )


def test_unpullable_image_is_named_with_the_air_gap_hint(
    start_cluster: StartCluster, connect_to: Connect
) -> None:
    conn, settings = connect_to(start_cluster("image-unreachable"))
    outcomes = run_vectoradd(conn, settings, gpu_nodes(conn, settings), RunContext())
    for outcome in outcomes.values():
        assert outcome.result == "image_pull"
        assert outcome.detail.startswith(
            f'image "{settings.vectoradd_image}" could not be pulled (ErrImagePull): '
        )
        assert outcome.detail.endswith("on air-gapped clusters mirror it and pass --vectoradd-image")


def test_node_without_capacity_is_unschedulable_with_the_schedulers_words(
    start_cluster: StartCluster, connect_to: Connect
) -> None:
    conn, settings = connect_to(start_cluster("driver-missing"), gpu_node_selector="gpu-node=true")
    outcomes = run_vectoradd(conn, settings, gpu_nodes(conn, settings), RunContext(), unschedulable_grace=2)
    assert outcomes["k8s-node05"].result == "passed"
    broken = outcomes["k8s-node06"]
    assert broken.result == "unschedulable"
    assert broken.detail.startswith("0/3 nodes are available: 1 Insufficient nvidia.com/gpu, ")
    assert any(e.startswith("FailedScheduling: 0/3 nodes are available") for e in broken.events)


def test_node_whose_gpus_are_all_taken_is_busy_and_gets_no_job(
    start_cluster: StartCluster, connect_to: Connect
) -> None:
    cluster = start_cluster("seed")
    hog = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "training", "namespace": "default"},
        "spec": {
            "nodeSelector": {"kubernetes.io/hostname": "k8s-node05"},
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            "containers": [
                {
                    "name": "train",
                    "image": "registry.k8s.io/pause:3.9",
                    "resources": {"limits": {"nvidia.com/gpu": "2"}},
                }
            ],
        },
    }
    kubectl(cluster, "apply", "-f", "-", stdin=json.dumps(hog))
    eventually(
        lambda: (
            kubectl(cluster, "get", "pod", "training", "-o", "jsonpath={.status.phase}").stdout == "Running"
        ),
        what="the GPU-holding pod running",
    )
    conn, settings = connect_to(cluster)
    run = RunContext()
    outcomes = run_vectoradd(conn, settings, gpu_nodes(conn, settings), run)
    busy = outcomes["k8s-node05"]
    assert (busy.result, busy.pod) == ("gpus_busy", None)
    assert busy.detail == (
        "all 2 nvidia.com/gpu of k8s-node05 are in use by other pods (default/training); vectoradd not run"
    )
    assert outcomes["k8s-node06"].result == "passed"
    jobs = kubectl(cluster, "get", "jobs", "-n", "gpu-conformance", "-o", "name").stdout.split()
    assert jobs == [f"job.batch/vectoradd-k8s-node06-{run.run_id}"]


def test_each_node_gets_the_runtime_class_its_wiring_needs(
    start_cluster: StartCluster, connect_to: Connect
) -> None:
    cluster = start_cluster("runtimeclass-legacy")  # nvidia is not the default runtime: pods need RuntimeClass nvidia
    conn, settings = connect_to(cluster)
    nodes = gpu_nodes(conn, settings)
    default = run_vectoradd(conn, settings, nodes, RunContext())
    assert {o.result for o in default.values()} == {"cuda_error"}
    run = RunContext()
    with_class = run_vectoradd(conn, settings, nodes, run, {"k8s-node05": "nvidia", "k8s-node06": None})
    assert {n: o.result for n, o in with_class.items()} == {"k8s-node05": "passed", "k8s-node06": "cuda_error"}
    job = json.loads(
        kubectl(
            cluster, "get", "job", "-n", "gpu-conformance", f"vectoradd-k8s-node05-{run.run_id}", "-o", "json"
        ).stdout
    )
    assert job["spec"]["template"]["spec"]["runtimeClassName"] == "nvidia"


def test_a_pod_that_never_finishes_times_out(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("seed"), vectoradd_image="registry.k8s.io/pause:3.9", timeout=5)
    outcomes = run_vectoradd(conn, settings, gpu_nodes(conn, settings), RunContext())
    for outcome in outcomes.values():
        assert (outcome.result, outcome.detail) == ("timeout", "did not finish within 5s (DeadlineExceeded)")
        assert any(e.startswith("DeadlineExceeded: ") for e in outcome.events)


def test_throttled_api_still_passes(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("api-throttled"))
    outcomes = run_vectoradd(conn, settings, gpu_nodes(conn, settings), RunContext())
    assert {o.result for o in outcomes.values()} == {"passed"}
