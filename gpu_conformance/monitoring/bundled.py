"""The project's monitoring assets (the repository's monitoring/ folder, package data in a wheel): rules, their
tests, a scrape job, the tutorial's Grafana dashboard."""

from __future__ import annotations

from ..suite_files import MONITORING as FOLDER

RULES = (FOLDER / "rules" / "gpu-alerts.yml",)  # for nvidia_gpu_exporter, the tutorial's exporter
DCGM_RULES = FOLDER / "rules" / "gpu-alerts-dcgm.yml"
RULE_TESTS = (FOLDER / "rules" / "gpu-alerts.test.yml", FOLDER / "rules" / "gpu-alerts-dcgm.test.yml")
SCRAPE_CONFIG = FOLDER / "prometheus" / "gpu-scrape.yml"
DASHBOARD = FOLDER / "grafana" / "nvidia-gpu-metrics-14574.json"  # Grafana 14574, see grafana/SOURCE.md
