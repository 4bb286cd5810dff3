"""The Prometheus and alert-rule checks as a user runs them: `pytest conformance -m monitoring` on the
simulated seed cluster, with the real promtool."""

from __future__ import annotations

from pathlib import Path

import pytest
from gpusim.testing import StartCluster

from tests.monitoring.promtool_support import TUTORIAL_CONFIG, TUTORIAL_RULES
from tests.suite.suite_runner import run_suite

pytestmark = pytest.mark.e2e

NODES = ("k8s-node05", "k8s-node06")


def test_the_tutorials_config_and_rules_fail_exactly_their_checks(start_cluster: StartCluster,
                                                                  tmp_path: Path) -> None:
    cluster = start_cluster("seed")
    run = run_suite(cluster, tmp_path, "-m", "monitoring", "--prometheus-config", str(TUTORIAL_CONFIG),
                    "--alert-rules", str(TUTORIAL_RULES))
    assert run.failing() == {("MON-PROM-CONFIG-VALID", "cluster"), ("RULES-CAN-FIRE", "cluster"),
                             *(("MON-PROM-TARGETS", node) for node in NODES)}, run.stdout[-3000:]
    skipped = {test: message for test, (outcome, message) in run.outcomes.items() if outcome == "skipped"}
    assert "no --prometheus-url given" in skipped["test_prometheus_has_the_gpu_rules"]
    # A per-node check whose option is missing is one item for every node, skipped before any fixture runs.
    live = {test for test in run.outcomes if test.startswith("test_prometheus_scrapes_the_exporter")}
    assert live == {"test_prometheus_scrapes_the_exporter[every-gpu-node]"}, live
    assert "no --prometheus-url given" in skipped["test_prometheus_scrapes_the_exporter[every-gpu-node]"]


def test_a_corrected_config_and_the_bundled_rules_pass(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster("seed")
    targets = ", ".join(f"'{n.internal_ip}:9835'" for n in cluster.scenario.nodes if n.has_gpus)
    config = tmp_path / "prometheus.yml"
    config.write_text(f"scrape_configs:\n- job_name: gpu-exporter\n  static_configs:\n  - targets: [{targets}]\n")
    run = run_suite(cluster, tmp_path, "-m", "monitoring", "--prometheus-config", str(config))
    assert run.failing() == set(), run.stdout[-3000:]
    passed = {test for test, (outcome, _) in run.outcomes.items() if outcome == "passed"}
    assert {"test_rules_are_valid", "test_rule_unit_tests_pass", "test_alerts_can_fire_and_resolve",
            "test_alert_metrics_are_served", "test_prometheus_config_is_valid",
            *(f"test_exporter_is_a_scrape_target[{node}]" for node in NODES)} <= passed


def test_without_promtool_the_rule_checks_error_with_an_install_hint(start_cluster: StartCluster,
                                                                     tmp_path: Path) -> None:
    cluster = start_cluster("seed")
    run = run_suite(cluster, tmp_path, "-m", "monitoring", "-k", "rule or alerts_can_fire",
                    "--promtool", str(tmp_path / "no-promtool"))
    broken = {test: message for test, (outcome, message) in run.outcomes.items() if outcome == "error"}
    assert set(broken) == {"test_rules_are_valid", "test_rule_unit_tests_pass", "test_alerts_can_fire_and_resolve"}
    assert all("apt-get install prometheus" in message for message in broken.values()), broken
