"""The alert rules' checks: valid, tested, able to fire, over metrics that exist."""

from __future__ import annotations

from . import tutorial_sections as sections
from .model import Check

RULES_VALID = Check(
    "RULES-VALID", "alert-rules", "alert rule files pass promtool check rules",
    "every rule file (--alert-rules; default: the bundled monitoring/rules/gpu-alerts.yml) loads in Prometheus",
    "fix what `promtool check rules FILE` reports (field names, PromQL syntax, durations)",
    severity="critical", tutorial=sections.MONITORING,
    level="tutorial",
)
RULES_UNIT_TESTS = Check(
    "RULES-UNIT-TESTS", "alert-rules", "alert rule unit tests pass",
    "`promtool test rules` passes for the bundled rule tests and every --alert-rule-tests file",
    "read promtool's FAILED lines: expected alerts that did not fire (exp) against what fired (got)",
    severity="normal", tutorial=sections.MONITORING,
    depends_on=("RULES-VALID",),
    level="tutorial",
)
RULES_CAN_FIRE = Check(
    "RULES-CAN-FIRE", "alert-rules", "every alert can fire and can resolve",
    "driving each metric an alert reads across its physical range (ratios 0..1, percent 0..100, °C, bytes up "
    "to the GPU's memory) makes the alert fire somewhere and stay quiet somewhere",
    "compare the threshold in the metric's unit: nvidia_gpu_exporter's *_ratio metrics are 0..1 (> 0.9, not "
    "> 90), DCGM's *_UTIL are 0..100; see monitoring/rules/gpu-alerts.yml",
    tutorial=sections.MONITORING,
    depends_on=("RULES-VALID",),
    level="tutorial",
)
RULES_METRICS_EXIST = Check(
    "RULES-METRICS-EXIST", "alert-rules", "every metric an alert reads is served by the GPU exporters",
    "each metric an alert expression reads appears in what the GPU nodes' exporters serve",
    "write rules for the exporter you run: nvidia_gpu_exporter serves nvidia_smi_*, dcgm-exporter serves "
    "DCGM_FI_DEV_*; rules for one never fire on the other",
    tutorial=sections.MONITORING,
    depends_on=("RULES-VALID", "MON-EXPORTER-UP"),
    level="tutorial",
)
