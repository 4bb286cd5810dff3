"""--gpu-request: the way of requesting GPUs chosen at session start, the checks each way keeps, and the GPU nodes
DRA marks (facts/gpu_request_choice.py, facts/gpu_nodes.py)."""

from __future__ import annotations

import dataclasses

import pytest

from conformance.plugin.selection import split
from gpu_conformance.checks import CHECKS, by_id
from gpu_conformance.facts.gpu_nodes import DraSignals, GpuNode
from gpu_conformance.facts.gpu_nodes import gpu_node as read_node
from gpu_conformance.facts.gpu_request_choice import choose_gpu_request
from tests.suite.test_levels import Item, catalogue_items

from .builders import gpu_node

__all__ = ["catalogue_items"]  # the fixture ``items``: one item per catalogue entry, as --level's tests use it
# The suite's markers are registered by its plugin, which the project's own tests do not load.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning")

DRA = DraSignals(version="v1", slices=2, devices={"k8s-node05": 2, "k8s-node06": 2},
                 plugin_pods={"k8s-node05": "nvidia-dra-driver-gpu/kubelet-plugin-a"})
DEVICE_PLUGIN_CHECKS = {"PLUGIN-DEPLOYED", "PLUGIN-DAEMONSET-READY", "PLUGIN-POD-READY", "CAPACITY-ADVERTISED",
                        "CAPACITY-MATCHES-GPUS", "HEALTH-ALLOCATABLE", "CDI-SPEC", "WORKLOAD-VECTORADD",
                        "SEC-CONTAINER-ISOLATION", "SEC-POD-ISOLATION", "DIAG-DCGM",
                        "PERF-BANDWIDTH", "PERF-NCCL"}


def dra_node(name: str, devices: int = 2) -> GpuNode:
    """A node that advertises no extended resource and publishes ``devices`` in ResourceSlices."""
    found = read_node({"metadata": {"name": name, "labels": {}}, "status": {"capacity": {"cpu": "16"}}}, False,
                      dra_gpus=devices, dra_plugin_pod="nvidia-dra-driver-gpu/kubelet-plugin-a")
    assert found is not None
    return found


def test_dra_only_cluster_chooses_dra_and_says_why() -> None:
    choice = choose_gpu_request("auto", DRA, [dra_node("k8s-node05"), dra_node("k8s-node06")])
    assert choice.requests == ("dra",)
    assert choice.summary() == ("--gpu-request auto: dra (ResourceSlices of gpu.nvidia.com on 2 nodes; no node "
                                "advertises nvidia.com/gpu): the device plugin's checks are not run")


def test_device_plugin_cluster_without_the_api() -> None:
    choice = choose_gpu_request("auto", DraSignals(), [gpu_node()])
    assert choice.requests == ("device-plugin",)
    assert choice.summary() == ("--gpu-request auto: device-plugin (resource.k8s.io is not served; 1 node "
                                "advertises nvidia.com/gpu or MIG/shared GPUs): the DRA checks are not run")


def test_api_served_without_slices_is_the_device_plugin() -> None:
    choice = choose_gpu_request("auto", DraSignals(version="v1", unreadable="missing permission: list "
                                                   "resourceslices.resource.k8s.io cluster-wide"), [gpu_node()])
    assert choice.requests == ("device-plugin",)
    assert "no ResourceSlice of gpu.nvidia.com (missing permission: list resourceslices" in choice.why


def test_both_ways_when_nodes_advertise_and_slices_exist() -> None:
    choice = choose_gpu_request("auto", DRA, [gpu_node(), dra_node("k8s-node06")])
    assert choice.requests == ("device-plugin", "dra")
    assert choice.summary() == (
        "--gpu-request auto: device-plugin and dra (ResourceSlices of gpu.nvidia.com on 1 node; 1 node advertises "
        "nvidia.com/gpu or MIG/shared GPUs): on a node that shows one way only, the other way's checks of that node "
        "are not run")
    assert choice.dra_serves(dra_node("k8s-node06")) and not choice.dra_serves(gpu_node())
    assert choice.runs("dra", dra_node("k8s-node06")) and not choice.runs("device-plugin", dra_node("k8s-node06"))
    assert choice.runs("dra") and choice.runs("device-plugin") and choice.runs("any", gpu_node())


def test_with_both_a_node_showing_neither_way_is_checked_both_ways() -> None:
    choice = choose_gpu_request("auto", DRA, [gpu_node(), dra_node("k8s-node06")])
    bare = dataclasses.replace(dra_node("k8s-node07", devices=0), dra_plugin_pod=None)
    assert choice.node_requests(bare) == ("device-plugin", "dra")
    assert choice.node_requests(dataclasses.replace(bare, plugin_pod="kube-system/nvidia-device-plugin-x")) == (
        "device-plugin",)


@pytest.mark.parametrize(("option", "kept"), [("dra", "dra"), ("device-plugin", "device-plugin")])
def test_the_option_chooses_whatever_the_cluster_shows(option: str, kept: str) -> None:
    choice = choose_gpu_request(option, DraSignals(), [])
    assert choice.requests == (kept,) and choice.why == f"chosen by --gpu-request {option}"
    assert {c.id for c in CHECKS if not choice.runs(c.gpu_request)} == (
        DEVICE_PLUGIN_CHECKS if kept == "dra" else {c.id for c in CHECKS if c.gpu_request == "dra"})


def test_the_device_plugin_checks_are_marked() -> None:
    assert {c.id for c in CHECKS if c.gpu_request == "device-plugin"} == DEVICE_PLUGIN_CHECKS
    assert by_id("CAPACITY-GPU-NODES").gpu_request == "any"


def test_a_dra_node_is_a_gpu_node_that_advertises_its_devices() -> None:
    node = dra_node("k8s-node05")
    assert node.why == ("publishes 2 devices in ResourceSlices of driver gpu.nvidia.com",
                        "runs DRA kubelet-plugin pod nvidia-dra-driver-gpu/kubelet-plugin-a")
    assert node.advertised_gpus == 2 and not node.advertises_extended_resource
    assert dataclasses.replace(gpu_node(), dra_gpus=4).advertised_gpus == 2  # the extended resource first


@pytest.mark.parametrize("requests", [("dra",), ("device-plugin",), ("device-plugin", "dra")])
def test_the_checks_of_a_way_not_in_use_are_deselected(items: list[Item], requests: tuple[str, ...]) -> None:
    """The deselection --level uses (conformance/plugin/selection.py), keyed by the choice."""
    choice = dataclasses.replace(choose_gpu_request("dra", DraSignals(), []), requests=requests)
    kept, dropped = split(items, lambda check, _node: choice.runs(check.gpu_request))
    assert {item.name for item in dropped} == {c.id for c in CHECKS if c.gpu_request not in ("any", *requests)}
    assert [item.name for item in kept] == [c.id for c in CHECKS if choice.runs(c.gpu_request)]
