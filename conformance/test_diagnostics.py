"""Opt-in deep diagnostics, beyond the tutorial: DCGM's diagnostic on each GPU node (--dcgm-diag 1|2|3), and the
bandwidth probes (--perf)."""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import DIAG_DCGM, PERF_BANDWIDTH, PERF_NCCL
from gpu_conformance.facts.diagnostics import DcgmDiag, PerfProbe
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.requirements.diagnostics import dcgm_diag_passes
from gpu_conformance.requirements.perf import all_reduce_passes, bandwidth_passes
from gpu_conformance.settings import Settings


@pytest.mark.workload
@verifies(DIAG_DCGM)
def test_dcgm_diag_passes(dcgm_diag: DcgmDiag) -> None:
    require(dcgm_diag_passes(dcgm_diag))


@pytest.mark.workload
@verifies(PERF_BANDWIDTH)
def test_host_gpu_bandwidth(bandwidth_probe: PerfProbe, settings: Settings) -> None:
    require(bandwidth_passes(bandwidth_probe, settings))


@pytest.mark.workload
@verifies(PERF_NCCL)
def test_nccl_all_reduce_bandwidth(all_reduce_probe: PerfProbe | None, gpu_node: GpuNode, settings: Settings) -> None:
    require(all_reduce_passes(all_reduce_probe, gpu_node, settings))
