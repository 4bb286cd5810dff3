"""The alerts on the suite's own metrics: valid for the real promtool, their unit tests passing (and able to fail),
and kept out of the GPU rules the RULES-* checks judge against the GPU exporters."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpu_conformance.monitoring import bundled
from gpu_conformance.monitoring.promtool import Promtool
from gpu_conformance.monitoring.rules import read_rule_file
from tests.monitoring.promtool_support import real_promtool

pytestmark = pytest.mark.e2e

ALERTS = bundled.FOLDER / "rules" / "gpu-conformance-alerts.yml"
ALERT_TESTS = bundled.FOLDER / "rules" / "gpu-conformance-alerts.test.yml"


@pytest.fixture(scope="module")
def promtool() -> Promtool:
    return real_promtool()


def test_the_rules_are_valid(promtool: Promtool) -> None:
    run = promtool.check_rules(ALERTS)
    assert run.ok and "SUCCESS: 4 rules found" in run.stdout, run.summary()


def test_the_unit_tests_pass_from_any_directory(promtool: Promtool, tmp_path: Path) -> None:
    run = promtool.test_rules(ALERT_TESTS, cwd=tmp_path)
    assert run.ok, run.summary()


def test_every_alert_has_a_unit_test() -> None:
    tested = ALERT_TESTS.read_text()
    assert [a.name for a in read_rule_file(ALERTS).alerts if f"alertname: {a.name}\n" not in tested] == []


def test_the_unit_tests_fail_when_staleness_comes_early(promtool: Promtool, tmp_path: Path) -> None:
    """The tests can fail: a 24h threshold fires on a daily run two hours late, which the tests forbid."""
    rules = ALERTS.read_text().replace("> 26 * 3600", "> 24 * 3600")
    assert rules != ALERTS.read_text()
    (tmp_path / ALERTS.name).write_text(rules)
    (tmp_path / ALERT_TESTS.name).write_text(ALERT_TESTS.read_text())
    run = promtool.test_rules(tmp_path / ALERT_TESTS.name, cwd=tmp_path)
    assert not run.ok
    assert "alertname: GPUConformanceStale, time: 1d1h," in run.summary(limit=5000)


def test_the_gpu_rule_checks_never_read_them() -> None:
    """RULES-* check that every metric a rule reads is served by the GPU exporters: not these."""
    assert ALERTS not in (*bundled.RULES, bundled.DCGM_RULES) and ALERT_TESTS not in bundled.RULE_TESTS
