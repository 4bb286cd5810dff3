"""The API server stores resource quantities as canonical strings, whatever the client sent, as a real one does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kubernetes import client

from tests.sim.api.api_harness import SimApi

pytestmark = pytest.mark.e2e


def test_a_gpu_limit_sent_as_a_json_number_reads_back_as_a_string(sim: SimApi, tmp_path: Path) -> None:
    pod = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "numbers"},
        "spec": {"containers": [{"name": "c", "image": "busybox", "resources": {
            "limits": {"nvidia.com/gpu": 1, "cpu": 0.5, "memory": "1.5Gi"},
            "requests": {"cpu": "1000m"}}}]},
    }
    manifest = tmp_path / "pod.json"
    manifest.write_text(json.dumps(pod))
    created = sim.kubectl("create", "-f", str(manifest), "-o", "json")
    resources = json.loads(created.stdout)["spec"]["containers"][0]["resources"]
    assert resources == {
        "limits": {"nvidia.com/gpu": "1", "cpu": "500m", "memory": "1536Mi"},
        "requests": {"nvidia.com/gpu": "1", "cpu": "1", "memory": "1536Mi"},
    }
    core = client.CoreV1Api(sim.api_client())
    read = core.read_namespaced_pod("numbers", "default").spec.containers[0].resources
    assert read.limits["nvidia.com/gpu"] == "1" and read.requests["cpu"] == "1"


def test_node_capacity_created_and_patched_as_numbers_reads_back_as_strings(sim: SimApi, tmp_path: Path) -> None:
    manifest = tmp_path / "node.json"
    manifest.write_text(json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "gpu-1"},
                                    "status": {"capacity": {"nvidia.com/gpu": 8, "pods": 110}}}))
    sim.kubectl("create", "-f", str(manifest))
    sim.kubectl("patch", "node", "gpu-1", "--subresource=status", "--type=merge",
                "-p", '{"status": {"allocatable": {"nvidia.com/gpu": 4}}}')
    status = json.loads(sim.kubectl("get", "node", "gpu-1", "-o", "json").stdout)["status"]
    assert status["capacity"] == {"nvidia.com/gpu": "8", "pods": "110"}
    assert status["allocatable"] == {"nvidia.com/gpu": "4"}
