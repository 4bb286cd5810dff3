"""Dynamic Resource Allocation: resource.k8s.io served, NVIDIA's DeviceClasses, its kubelet plugin Ready on every
GPU node, each node's ResourceSlices listing exactly its GPUs, none of them tainted, the vectoradd pod passing
with its GPU claimed, and only the container using a claim seeing its GPU (run under --gpu-request dra, or auto on a
cluster whose GPUs NVIDIA's DRA driver publishes)."""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import (
    DRA_API,
    DRA_DEVICECLASS,
    DRA_DEVICES_HEALTHY,
    DRA_DRIVER_READY,
    DRA_SECURE_ACCESS,
    DRA_SLICES_MATCH_GPUS,
    DRA_VECTORADD,
)
from gpu_conformance.facts.cluster import ProbeOutcome
from gpu_conformance.facts.dra import DraFacts
from gpu_conformance.facts.dra_isolation import DraIsolation
from gpu_conformance.facts.dra_workload import DraWorkload
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.requirements.dra import (
    device_classes,
    devices_healthy,
    dra_api,
    driver_ready,
    slices_match_gpus,
)
from gpu_conformance.requirements.dra_secure_access import dra_secure_access
from gpu_conformance.requirements.dra_workload import dra_vectoradd_passes


@pytest.mark.cluster
@verifies(DRA_API)
def test_dra_api_served(dra: DraFacts) -> None:
    require(dra_api(dra))


@pytest.mark.cluster
@verifies(DRA_DEVICECLASS)
def test_dra_device_classes(dra: DraFacts) -> None:
    require(device_classes(dra))


@pytest.mark.cluster
@verifies(DRA_DRIVER_READY)
def test_dra_kubelet_plugin_ready(gpu_node: GpuNode, dra: DraFacts) -> None:
    require(driver_ready(dra, gpu_node))


@pytest.mark.node_local
@verifies(DRA_SLICES_MATCH_GPUS)
def test_dra_slices_match_the_node(gpu_node: GpuNode, dra: DraFacts, probe: ProbeOutcome) -> None:
    require(slices_match_gpus(dra, probe, gpu_node))


@pytest.mark.cluster
@verifies(DRA_DEVICES_HEALTHY)
def test_dra_devices_untainted(gpu_node: GpuNode, dra: DraFacts) -> None:
    require(devices_healthy(dra, gpu_node))


@pytest.mark.workload
@verifies(DRA_VECTORADD)
def test_dra_vectoradd_passes(dra_workload: DraWorkload, dra: DraFacts, probe: ProbeOutcome, gpu_node: GpuNode) -> None:
    require(dra_vectoradd_passes(dra_workload, dra, probe, gpu_node))


@pytest.mark.security
@pytest.mark.workload
@verifies(DRA_SECURE_ACCESS)
def test_dra_secure_access(dra_isolation: DraIsolation, dra: DraFacts) -> None:
    require(dra_secure_access(dra_isolation, dra))
