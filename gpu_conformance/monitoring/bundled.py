"""The project's monitoring assets (the repository's monitoring/ folder): rules, their tests, a scrape job."""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2] / "monitoring"
RULES = (FOLDER / "rules" / "gpu-alerts.yml",)  # for nvidia_gpu_exporter, the tutorial's exporter
DCGM_RULES = FOLDER / "rules" / "gpu-alerts-dcgm.yml"
RULE_TESTS = (FOLDER / "rules" / "gpu-alerts.test.yml", FOLDER / "rules" / "gpu-alerts-dcgm.test.yml")
SCRAPE_CONFIG = FOLDER / "prometheus" / "gpu-scrape.yml"
