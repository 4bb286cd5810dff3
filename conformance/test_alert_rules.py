"""Tutorial 三、Prometheus监控GPU, 告警规则: the alert rules (--alert-rules, default the bundled ones) load, pass
their unit tests, can fire and resolve on the values GPUs really report, and read metrics that exist."""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import RULES_CAN_FIRE, RULES_METRICS_EXIST, RULES_UNIT_TESTS, RULES_VALID
from gpu_conformance.facts.fire_range import FireRange
from gpu_conformance.facts.promtool import PromtoolRun
from gpu_conformance.facts.rules import RuleFile
from gpu_conformance.requirements.alert_rules import (
    alerts_can_fire,
    rule_metrics_served,
    rule_tests_pass,
    rules_valid,
)

pytestmark = pytest.mark.monitoring


@verifies(RULES_VALID)
def test_rules_are_valid(rule_checks: list[PromtoolRun]) -> None:
    require(rules_valid(rule_checks))


@verifies(RULES_UNIT_TESTS)
def test_rule_unit_tests_pass(rule_test_runs: list[PromtoolRun]) -> None:
    require(rule_tests_pass(rule_test_runs))


@verifies(RULES_CAN_FIRE)
def test_alerts_can_fire_and_resolve(fire_ranges: list[FireRange]) -> None:
    require(alerts_can_fire(fire_ranges))


@verifies(RULES_METRICS_EXIST)
def test_alert_metrics_are_served(rule_files: tuple[RuleFile, ...],
                                  served_metrics: tuple[frozenset[str], str]) -> None:
    names, source = served_metrics
    require(rule_metrics_served(rule_files, names, source))
