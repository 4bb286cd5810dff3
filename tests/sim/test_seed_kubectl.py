"""The tutorial's steps, run with the real kubectl against the simulated `seed` cluster."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gpusim.cluster import SimCluster
from gpusim.testing import StartCluster, eventually, kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.e2e]
GPU_POD = Path(__file__).with_name("data") / "gpu-pod.yaml"
VECTORADD_OUTPUT = """[Vector addition of 50000 elements]
Copy input data from the host memory to the CUDA device
CUDA kernel launch with 196 blocks of 256 threads
Copy output data from the CUDA device to the host memory
Test PASSED
Done
"""


@pytest.fixture
def seed(start_cluster: StartCluster) -> SimCluster:
    cluster = start_cluster("seed")
    eventually(lambda: "nvidia.com/gpu:     2" in kubectl(cluster, "describe", "node", "k8s-node05").stdout,
               what="k8s-node05 advertising 2 GPUs")
    return cluster


def test_get_nodes_wide_shows_every_node_like_a_real_cluster(seed: SimCluster) -> None:
    out = kubectl(seed, "get", "nodes", "-o", "wide").stdout
    header, *rows = out.splitlines()
    assert header.split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP",
                              "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]
    by_name = {row.split()[0]: row.split() for row in rows}
    assert set(by_name) == {n.name for n in seed.scenario.nodes}
    master = by_name["k8s-master01"]
    assert master[1:3] == ["Ready", "control-plane"]
    for node in seed.scenario.gpu_nodes:
        row = by_name[node.name]
        assert row[1] == "Ready" and row[4] == node.kubelet_version
        assert row[5] == node.internal_ip and row[5].startswith("127.")
        assert row[-1] == node.container_runtime_version


def test_describe_node_shows_gpus_under_capacity_and_allocatable(seed: SimCluster) -> None:
    out = kubectl(seed, "describe", "node", "k8s-node05").stdout
    capacity = out.split("Capacity:")[1].split("Allocatable:")[0]
    allocatable = out.split("Allocatable:")[1].split("System Info:")[0]
    assert re.search(r"^\s+nvidia\.com/gpu:\s+2$", capacity, re.M)
    assert re.search(r"^\s+nvidia\.com/gpu:\s+2$", allocatable, re.M)
    assert "gpu-node=true" in out  # the tutorial's `describe no k8s-node05 | grep gpu` shows this label


def test_device_plugin_pods_run_on_every_gpu_node(seed: SimCluster) -> None:
    def running() -> list[list[str]]:
        rows = kubectl(seed, "get", "pods", "-A", "-l", "name=nvidia-device-plugin-ds", "-o", "wide").stdout
        cells = [row.split() for row in rows.splitlines()[1:]]
        return cells if all(c[2] == "1/1" and c[3] == "Running" for c in cells) else []

    pods = eventually(running, what="device plugin pods Running 1/1")
    assert isinstance(pods, list)
    assert sorted(c[7] for c in pods) == sorted(n.name for n in seed.scenario.gpu_nodes)
    assert all(c[0] == "kube-system" and c[1].startswith("nvidia-device-plugin-daemonset-") for c in pods)


def test_tutorial_gpu_pod_runs_vectoradd_and_passes(seed: SimCluster) -> None:
    kubectl(seed, "apply", "-f", str(GPU_POD))
    kubectl(seed, "wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/gpu-pod", "--timeout=30s", timeout=40)
    assert kubectl(seed, "logs", "gpu-pod").stdout == VECTORADD_OUTPUT
    kubectl(seed, "delete", "-f", str(GPU_POD), "--timeout=30s", timeout=40)
    assert kubectl(seed, "get", "pod", "gpu-pod", check=False).stderr.strip() == \
        'Error from server (NotFound): pods "gpu-pod" not found'


def test_pod_asking_for_more_gpus_than_any_node_has_fails_scheduling(seed: SimCluster) -> None:
    manifest = GPU_POD.read_text().replace("name: gpu-pod", "name: greedy").replace(
        "nvidia.com/gpu: 1 # requesting 1 GPU", "nvidia.com/gpu: 3")
    manifest = manifest.replace("spec:\n", "spec:\n  nodeSelector:\n    kubernetes.io/hostname: k8s-node05\n", 1)
    kubectl(seed, "apply", "-f", "-", stdin=manifest)

    def failed_scheduling() -> str:
        out = kubectl(seed, "get", "events", "--field-selector", "involvedObject.name=greedy").stdout
        return out if "FailedScheduling" in out else ""

    out = str(eventually(failed_scheduling, what="a FailedScheduling event"))
    assert ("0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) didn't match Pod's node "
            "affinity/selector, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. "
            "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
            "2 Preemption is not helpful for scheduling.") in " ".join(out.split())
    status = kubectl(seed, "get", "pod", "greedy", "-o", "jsonpath={.status.phase} {.status.conditions[0].reason}")
    assert status.stdout == "Pending Unschedulable"
