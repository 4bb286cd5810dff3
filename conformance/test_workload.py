"""Tutorial 2.2 验证Pod是否能通过GPU调度: the vectoradd pod, asking for one GPU, is scheduled on the
node, runs, and prints `Test PASSED`."""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import WORKLOAD_DRIVER_FITS_IMAGE, WORKLOAD_VECTORADD
from gpu_conformance.facts.cluster import ProbeOutcome, WorkloadOutcome
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.requirements.workload import driver_fits_image, vectoradd_passes
from gpu_conformance.settings import Settings


@pytest.mark.workload
@verifies(WORKLOAD_VECTORADD)
def test_vectoradd_passes(workload: WorkloadOutcome, probe: ProbeOutcome, gpu_node: GpuNode) -> None:
    require(vectoradd_passes(workload, probe, gpu_node))


@pytest.mark.node_local
@verifies(WORKLOAD_DRIVER_FITS_IMAGE)
def test_driver_fits_vectoradd_image(probe: ProbeOutcome, gpu_node: GpuNode, settings: Settings) -> None:
    require(driver_fits_image(probe, gpu_node, settings))
