"""Tutorial 三、Prometheus监控GPU: every GPU node's exporter answers, reports each of the node's GPUs, and
the node's driver. Read over HTTP only (creates nothing)."""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import MON_EXPORTER_DRIVER, MON_EXPORTER_GPUS, MON_EXPORTER_UP
from gpu_conformance.facts.cluster import ProbeOutcome
from gpu_conformance.facts.exporters import ExporterFacts
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.requirements.monitoring import (
    exporter_driver_matches,
    exporter_reachable,
    exporter_reports_every_gpu,
)


@pytest.mark.monitoring
@verifies(MON_EXPORTER_UP)
def test_exporter_answers(gpu_node: GpuNode, exporter: ExporterFacts) -> None:
    require(exporter_reachable(exporter))


@pytest.mark.monitoring
@verifies(MON_EXPORTER_GPUS)
def test_exporter_reports_every_gpu(gpu_node: GpuNode, exporter: ExporterFacts,
                                    probe_if_run: ProbeOutcome | None) -> None:
    require(exporter_reports_every_gpu(gpu_node, exporter, probe_if_run))


@pytest.mark.monitoring
@verifies(MON_EXPORTER_DRIVER)
def test_exporter_driver_matches_the_node(gpu_node: GpuNode, exporter: ExporterFacts,
                                          probe_if_run: ProbeOutcome | None) -> None:
    require(exporter_driver_matches(gpu_node, exporter, probe_if_run))
