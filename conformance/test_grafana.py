"""Tutorial 三、Prometheus监控GPU ends in Grafana: dashboard 14574 installed, reading a Prometheus that answers.
Read over Grafana's HTTP API only, with --grafana-url; skipped without it."""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import MON_GRAFANA_DASHBOARD
from gpu_conformance.facts.grafana import GrafanaFacts
from gpu_conformance.monitoring.dashboard import Dashboard
from gpu_conformance.requirements.grafana import grafana_dashboard_live


@pytest.mark.monitoring
@verifies(MON_GRAFANA_DASHBOARD)
def test_grafana_shows_the_dashboard(live_grafana: GrafanaFacts, grafana_dashboard: Dashboard) -> None:
    require(grafana_dashboard_live(live_grafana, grafana_dashboard))
