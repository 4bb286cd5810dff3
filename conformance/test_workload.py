"""Tutorial 2.2 验证Pod是否能通过GPU调度: the vectoradd pod, asking for one GPU, is scheduled on the
node, runs, and prints `Test PASSED`."""

import pytest

from gpu_conformance.cluster_facts import ProbeOutcome, WorkloadOutcome
from gpu_conformance.gpu_nodes import GpuNode
from gpu_conformance.requirements.workload import driver_fits_image, vectoradd_passes
from gpu_conformance.settings import Settings
from gpu_conformance.verdict import require


@pytest.mark.workload
@pytest.mark.check("WORKLOAD-VECTORADD")
def test_vectoradd_passes(workload: WorkloadOutcome, probe: ProbeOutcome, gpu_node: GpuNode) -> None:
    require(vectoradd_passes(workload, probe, gpu_node))


@pytest.mark.node_local
@pytest.mark.check("WORKLOAD-DRIVER-FITS-IMAGE")
def test_driver_fits_vectoradd_image(probe: ProbeOutcome, gpu_node: GpuNode, settings: Settings) -> None:
    require(driver_fits_image(probe, gpu_node, settings))
