"""Tutorial 三、Prometheus监控GPU imports Grafana dashboard 14574: the node's exporter serves what its panels
read. Read over HTTP only (the exporters' scrape; creates nothing)."""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import MON_DASHBOARD_METRICS
from gpu_conformance.facts.exporters import ExporterFacts
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.monitoring.dashboard import Dashboard
from gpu_conformance.requirements.dashboard import dashboard_metrics_served


@pytest.mark.monitoring
@verifies(MON_DASHBOARD_METRICS)
def test_dashboard_has_data_for_the_node(gpu_node: GpuNode, exporter: ExporterFacts,
                                         grafana_dashboard: Dashboard) -> None:
    require(dashboard_metrics_served(gpu_node, exporter, grafana_dashboard))
