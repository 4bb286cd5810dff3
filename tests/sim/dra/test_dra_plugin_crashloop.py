"""``dra-plugin-crashloop``: k8s-node06's kubelet plugin exits on NVML's error, over and over, and publishes
nothing; k8s-node05's plugin publishes as usual."""

from __future__ import annotations

import json

import pytest
from gpusim.cluster import SimCluster
from gpusim.testing import eventually, kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.e2e]
SCENARIO = "dra-plugin-crashloop"
NAMESPACE = "nvidia-dra-driver-gpu"


def _pod_on(cluster: SimCluster, node: str) -> dict[str, object]:
    pods = json.loads(kubectl(cluster, "get", "pods", "-n", NAMESPACE, "-o", "json").stdout)["items"]
    found: dict[str, object] = next(p for p in pods if p["spec"]["nodeName"] == node)
    return found


def _waiting_reason(cluster: SimCluster) -> str:
    status = _pod_on(cluster, "k8s-node06")["status"]
    assert isinstance(status, dict)
    return str(((status.get("containerStatuses") or [{}])[0].get("state") or {}).get("waiting", {}).get("reason"))


def test_the_plugin_on_node06_crash_loops_with_the_nvml_error(dra_cluster: SimCluster) -> None:
    eventually(lambda: _waiting_reason(dra_cluster) == "CrashLoopBackOff", what="CrashLoopBackOff on k8s-node06")
    pod = _pod_on(dra_cluster, "k8s-node06")
    metadata = pod["metadata"]
    assert isinstance(metadata, dict)
    log = kubectl(dra_cluster, "logs", "-n", NAMESPACE, metadata["name"], "-c", "gpus", "--previous").stdout
    assert log == ("Error: error creating driver: failed to create device library: failed to initialize NVML: "
                   "error initializing NVML: ERROR_LIBRARY_NOT_FOUND\n")


def test_only_the_healthy_node_publishes_a_slice(dra_cluster: SimCluster) -> None:
    def nodes() -> list[str]:
        items = json.loads(kubectl(dra_cluster, "get", "resourceslices", "-o", "json").stdout)["items"]
        return sorted(s["spec"]["nodeName"] for s in items)

    eventually(lambda: nodes() == ["k8s-node05"], what="k8s-node05's slice")
    assert nodes() == ["k8s-node05"]
