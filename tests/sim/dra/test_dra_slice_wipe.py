"""The kubelet keeps a node's slices while its plugin comes back at once, and wipes them once the driver has been
gone from the node for the wiping delay."""

from __future__ import annotations

import json

import pytest
from gpusim.cluster import SimCluster
from gpusim.testing import eventually, kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.e2e]
SCENARIO = "dra"
NAMESPACE = "nvidia-dra-driver-gpu"


def _slice_names(cluster: SimCluster) -> list[str]:
    items = json.loads(kubectl(cluster, "get", "resourceslices", "-o", "json").stdout)["items"]
    return sorted(s["metadata"]["name"] for s in items)


def test_a_restarted_plugin_keeps_its_slice_and_an_uninstalled_driver_loses_them(dra_cluster: SimCluster) -> None:
    eventually(lambda: len(_slice_names(dra_cluster)) == 2, what="both slices")
    before = _slice_names(dra_cluster)
    kubectl(dra_cluster, "delete", "pods", "-n", NAMESPACE, "--all", "--wait=false")
    eventually(lambda: "Running" in kubectl(dra_cluster, "get", "pods", "-n", NAMESPACE).stdout,
               what="the DaemonSet's new plugin pods")
    assert _slice_names(dra_cluster) == before
    kubectl(dra_cluster, "delete", "daemonset", "-n", NAMESPACE, "nvidia-dra-driver-gpu-kubelet-plugin")
    eventually(lambda: _slice_names(dra_cluster) == [], timeout=30, what="the slices wiped")
