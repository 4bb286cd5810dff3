"""Cluster facts: GPU nodes from one node list (two with --gpu-node-selector), --gpu-node, RuntimeClasses."""

from __future__ import annotations

import pytest
from gpusim.testing import StartCluster

from gpu_conformance.errors import UsageError
from gpu_conformance.kube.cluster import gpu_nodes, runtime_classes

from .conftest import Connect, count_requests

pytestmark = pytest.mark.e2e


def test_gpu_nodes_are_those_advertising_gpus(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("seed"))
    log = count_requests(conn)
    nodes = gpu_nodes(conn, settings)
    assert [(n.name, n.advertised_gpus, n.container_runtime_version) for n in nodes] == [
        ("k8s-node05", 2, "containerd://1.6.24"),
        ("k8s-node06", 1, "containerd://1.6.24"),
    ]
    assert log.count("GET", path_suffix="/nodes") == 1


def test_a_labelled_node_without_capacity_is_a_gpu_node_with_or_without_a_selector(
    start_cluster: StartCluster, connect_to: Connect
) -> None:
    """driver-missing: k8s-node06 advertises nothing; the tutorial's label still makes it one to check."""
    cluster = start_cluster("driver-missing")
    conn, settings = connect_to(cluster, gpu_node_selector="gpu-node=true")
    log = count_requests(conn)
    nodes = {n.name: n for n in gpu_nodes(conn, settings)}
    assert set(nodes) == {"k8s-node05", "k8s-node06"}
    assert nodes["k8s-node06"].advertised_gpus == 0
    assert nodes["k8s-node06"].why[0] == "label gpu-node=true" and nodes["k8s-node06"].why[-1] == \
        "matches --gpu-node-selector"
    assert nodes["k8s-node06"].why[1].startswith("runs device plugin pod kube-system/nvidia-device-plugin-daemonset-")
    assert log.count("GET", path_suffix="/nodes") == 2
    conn, settings = connect_to(cluster)
    assert [n.name for n in gpu_nodes(conn, settings)] == ["k8s-node05", "k8s-node06"]


def test_bad_selector_is_a_usage_error(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("seed"), gpu_node_selector="gpu node=true")
    with pytest.raises(UsageError, match=r"^--gpu-node-selector 'gpu node=true': 400 Bad Request: "):
        gpu_nodes(conn, settings)


def test_node_option_filters_and_checks_named_nodes(start_cluster: StartCluster, connect_to: Connect) -> None:
    cluster = start_cluster("driver-missing")
    conn, settings = connect_to(cluster, node=("k8s-node06",))
    [node] = gpu_nodes(conn, settings)
    assert (node.name, node.why[0], node.advertised_gpus) == ("k8s-node06", "label gpu-node=true", 0)
    conn, settings = connect_to(cluster, node=("k8s-node05",))
    assert [n.name for n in gpu_nodes(conn, settings)] == ["k8s-node05"]


def test_unknown_node_name_suggests_close_ones(start_cluster: StartCluster, connect_to: Connect) -> None:
    cluster = start_cluster("seed")
    conn, settings = connect_to(cluster, node=("k8s-node5",))
    with pytest.raises(UsageError) as caught:
        gpu_nodes(conn, settings)
    assert str(caught.value) == "--gpu-node k8s-node5: no such node (did you mean 'k8s-node05' or 'k8s-node06'?)"
    conn, settings = connect_to(cluster, node=("gpu-worker-17",))
    with pytest.raises(
        UsageError, match=r"^--gpu-node gpu-worker-17: no such node \(GPU nodes: k8s-node05, k8s-node06\)$"
    ):
        gpu_nodes(conn, settings)


def test_runtime_classes(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, _ = connect_to(start_cluster("gpu-operator"))
    assert runtime_classes(conn) == {"nvidia": "nvidia", "nvidia-cdi": "nvidia-cdi", "nvidia-legacy": "nvidia-legacy"}
    conn, _ = connect_to(start_cluster("seed"))
    assert runtime_classes(conn) == {}
