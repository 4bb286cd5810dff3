"""Device plugin discovery, whatever installed it, without mistaking its Helm siblings for it."""

from __future__ import annotations

import pytest
from gpusim.scenario import loads
from gpusim.testing import StartCluster, kubectl

from gpu_conformance.kube.cluster import gpu_nodes
from gpu_conformance.kube.plugin import discover_plugin

from .conftest import Connect, count_requests

pytestmark = pytest.mark.e2e

GPU_NODES = ["k8s-node05", "k8s-node06"]


def test_static_manifest_healthy(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("seed"))
    log = count_requests(conn)
    facts = discover_plugin(conn, settings, GPU_NODES)
    assert (facts.install, facts.selector) == ("static manifest", "name=nvidia-device-plugin-ds")
    [daemonset] = facts.daemonsets
    assert (daemonset.namespace, daemonset.name, daemonset.desired, daemonset.ready, daemonset.image) == (
        "kube-system",
        "nvidia-device-plugin-daemonset",
        2,
        2,
        "nvcr.io/nvidia/k8s-device-plugin:v0.14.3",
    )
    assert [(p.node, p.phase, p.ready, p.restarts, p.log_tail) for p in facts.pods] == [
        ("k8s-node05", "Running", True, 0, ""),
        ("k8s-node06", "Running", True, 0, ""),
    ]
    assert (log.count("GET", path_suffix="/daemonsets"), log.count("GET", path_suffix="/pods")) == (1, 1)
    assert not any(path.endswith("/log") for _, path, _ in log.calls), "healthy pods need no log read"


def test_the_node_discovery_and_the_plugin_facts_share_one_listing(start_cluster: StartCluster,
                                                                   connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("seed"))
    log = count_requests(conn)
    assert [n.name for n in gpu_nodes(conn, settings)] == GPU_NODES
    assert [p.node for p in discover_plugin(conn, settings, GPU_NODES).pods] == GPU_NODES
    assert (log.count("GET", path_suffix="/daemonsets"), log.count("GET", path_suffix="/pods")) == (1, 1)


def test_crash_looping_plugin_shows_why(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("plugin-crashloop"))
    facts = discover_plugin(conn, settings, GPU_NODES)
    [healthy] = facts.pods_on("k8s-node05")
    [broken] = facts.pods_on("k8s-node06")
    assert (healthy.ready, healthy.log_tail) == (True, "")
    assert (broken.ready, broken.waiting_reason, broken.last_exit) == (
        False,
        "CrashLoopBackOff",
        "Error (exit code 1)",
    )
    assert broken.restarts > 0
    assert "If this is a GPU node, did you configure the NVIDIA Container Toolkit?" in broken.log_tail
    assert len(broken.log_tail.splitlines()) <= 20


def test_a_degraded_node_s_healthy_plugin_pod_log_is_read_and_only_there(start_cluster: StartCluster,
                                                                          connect_to: Connect) -> None:
    """On a node whose GPU allocatable is below capacity the Ready plugin's log says which GPU it marked unhealthy."""
    conn, settings = connect_to(start_cluster("xid-unhealthy"))
    log = count_requests(conn)
    facts = discover_plugin(conn, settings, GPU_NODES, ["k8s-node05"])
    [degraded] = facts.pods_on("k8s-node05")
    [healthy] = facts.pods_on("k8s-node06")
    assert degraded.ready and "XidCriticalError: Xid=79 on Device=GPU-" in degraded.log_tail
    assert healthy.log_tail == ""
    assert sum(path.endswith("/log") for _, path, _ in log.calls) == 1


def test_crash_loop_on_an_unchecked_node_reads_no_log(
    start_cluster: StartCluster, connect_to: Connect
) -> None:
    conn, settings = connect_to(start_cluster("plugin-crashloop"))
    [broken] = discover_plugin(conn, settings, ["k8s-node05"]).pods_on("k8s-node06")
    assert broken.waiting_reason == "CrashLoopBackOff" and broken.log_tail == ""


def test_helm_install_without_mistaking_gpu_feature_discovery(
    start_cluster: StartCluster, connect_to: Connect
) -> None:
    cluster = start_cluster("helm-gfd")
    listed = kubectl(
        cluster, "get", "daemonsets", "-A", "-l", "app.kubernetes.io/name=nvidia-device-plugin", "-o", "name"
    ).stdout.split()
    assert "daemonset.apps/nvdp-nvidia-device-plugin-gpu-feature-discovery" in listed  # shares the labels
    conn, settings = connect_to(cluster)
    facts = discover_plugin(conn, settings, GPU_NODES)
    assert facts.install == "Helm"
    assert [(d.namespace, d.name) for d in facts.daemonsets] == [
        ("nvidia-device-plugin", "nvdp-nvidia-device-plugin")
    ]
    assert sorted(p.node for p in facts.pods) == GPU_NODES
    assert not any("gpu-feature-discovery" in p.name for p in facts.pods)
    assert [[(r.key, r.operator, r.values) for r in term] for term in facts.daemonsets[0].affinity_terms] == [
        [("feature.node.kubernetes.io/pci-10de.present", "In", ("true",))],
        [("feature.node.kubernetes.io/cpu-model.vendor_id", "In", ("NVIDIA",))],
        [("nvidia.com/gpu.present", "In", ("true",))]]  # the chart's three ways to be a GPU node


def test_gpu_operator(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("gpu-operator"))
    facts = discover_plugin(conn, settings, GPU_NODES)
    assert (facts.install, facts.selector) == ("GPU Operator", "app=nvidia-device-plugin-daemonset")
    assert [(d.namespace, d.name) for d in facts.daemonsets] == [
        ("gpu-operator", "nvidia-device-plugin-daemonset")
    ]
    assert all(p.ready for p in facts.pods) and len(facts.pods) == 2
    assert facts.daemonsets[0].node_selector == (("nvidia.com/gpu.deploy.device-plugin", "true"),)


def test_gke_addon(start_cluster: StartCluster, connect_to: Connect) -> None:
    scenario = loads("name: gke\nbase: seed\ndevicePlugin:\n  style: gke\n", "gke.yaml")
    conn, settings = connect_to(start_cluster(scenario))
    facts = discover_plugin(conn, settings, GPU_NODES)
    assert (facts.install, [d.name for d in facts.daemonsets]) == ("GKE", ["nvidia-gpu-device-plugin"])


def test_plugin_selector_option(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("seed"), plugin_selector="name in (nvidia-device-plugin-ds)")
    facts = discover_plugin(conn, settings, GPU_NODES)
    assert (facts.install, facts.selector) == ("--device-plugin-selector", "name in (nvidia-device-plugin-ds)")
    assert [d.name for d in facts.daemonsets] == ["nvidia-device-plugin-daemonset"] and len(facts.pods) == 2


def test_missing_plugin_says_where_it_looked(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("plugin-missing"))
    facts = discover_plugin(conn, settings, GPU_NODES)
    assert (facts.install, facts.daemonsets, facts.pods) == ("not found", (), ())
    assert (
        "name=nvidia-device-plugin-ds" in facts.selector
        and facts.source == "DaemonSets and pods in all namespaces"
    )
