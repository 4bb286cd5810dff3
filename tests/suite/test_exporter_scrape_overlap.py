"""A node's checks wait for its own exporter only: the scrape goes on beside the checks of the nodes before the
slowest, and the check that reads every node's exporter runs last (fixtures/exporters.py); but pods are created
only once the scrape has ended (fixtures/settling.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from gpusim.testing import StartCluster

from tests.suite.suite_runner import run_suite

pytestmark = pytest.mark.e2e


def test_a_nodes_checks_wait_for_its_own_exporter_only(start_cluster: StartCluster, tmp_path: Path) -> None:
    """k8s-node06's exporter never answers: k8s-node05's checks, which run first, do not wait out its timeout, and
    the check reading every node's exporter runs last."""
    cluster = start_cluster("exporter-hanging")
    run = run_suite(cluster, tmp_path, "-p", "no:randomly", "-m", "monitoring", "--exporter-timeout", "4")
    cases = list(ET.parse(tmp_path / "junit-0.xml").getroot().iter("testcase"))
    seconds = {str(case.get("name")): float(case.get("time", "0")) for case in cases}
    first = "test_dashboard_has_data_for_the_node[{}]"  # each node's first check reading its exporter
    assert seconds[first.format("k8s-node05")] < 2, seconds
    assert seconds[first.format("k8s-node06")] > 2, seconds
    assert cases[-1].get("name") == "test_alert_metrics_are_served", run.stdout[-2000:]


def test_the_probe_pods_wait_for_the_scrape_to_end(start_cluster: StartCluster, tmp_path: Path) -> None:
    """k8s-node06's exporter never answers: the probes, which k8s-node05's first node-local check starts, wait out its
    8 s timeout before any pod is made, so that their load cannot push an exporter's answer past it."""
    cluster = start_cluster("exporter-hanging")
    run = run_suite(cluster, tmp_path, "-p", "no:randomly", "-m", "monitoring or node_local", "--exporter-timeout",
                    "8")
    cases = list(ET.parse(tmp_path / "junit-0.xml").getroot().iter("testcase"))
    first = [case for case in cases if "[k8s-node05]" in str(case.get("name"))]
    waited = max(float(case.get("time", "0")) for case in first)  # the check that started the probes
    assert waited > 6, [(case.get("name"), case.get("time")) for case in first]
    assert run.outcomes["test_exporter_answers[k8s-node06]"][0] == "failed", run.stdout[-2000:]
