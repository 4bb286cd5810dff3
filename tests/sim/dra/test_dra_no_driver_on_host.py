"""A DRA cluster whose k8s-node06 has no GPU driver: the kubelet plugin's init container reports its
driver-root check and keeps retrying (the pod stays Init:0/1), and the node publishes no slice."""

from __future__ import annotations

import json

import pytest
from gpusim.cluster import SimCluster
from gpusim.scenario import loads
from gpusim.testing import eventually, kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.e2e]
SCENARIO = loads("""name: dra-no-driver
base: dra
nodes:
  - name: k8s-node06
    host:
      driver: null
""")
NAMESPACE = "nvidia-dra-driver-gpu"


def test_the_init_container_says_the_driver_is_not_set_up_and_keeps_waiting(dra_cluster: SimCluster) -> None:
    pods = json.loads(kubectl(dra_cluster, "get", "pods", "-n", NAMESPACE, "-o", "json").stdout)["items"]
    name = next(p["metadata"]["name"] for p in pods if p["spec"]["nodeName"] == "k8s-node06")
    eventually(lambda: "Check failed. Has the NVIDIA GPU driver been set up?" in kubectl(
        dra_cluster, "logs", "-n", NAMESPACE, name, "-c", "init-container").stdout, what="the driver-root check")
    log = kubectl(dra_cluster, "logs", "-n", NAMESPACE, name, "-c", "init-container").stdout
    assert "/driver-root (/ on host): nvidia-smi: not found, libnvidia-ml.so.1: not found" in log
    assert "NVIDIA_DRIVER_ROOT (currently set to '/')" in log
    row = kubectl(dra_cluster, "get", "pod", "-n", NAMESPACE, name).stdout.splitlines()[1].split()
    assert row[1:3] == ["0/1", "Init:0/1"]
    slices = json.loads(kubectl(dra_cluster, "get", "resourceslices", "-o", "json").stdout)["items"]
    assert "k8s-node06" not in {s["spec"]["nodeName"] for s in slices}
