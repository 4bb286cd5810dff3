"""The Grafana checks as a user runs them: `pytest conformance -m monitoring --grafana-url ...` on the simulated
seed cluster, the token in an environment variable that no report shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from gpusim.testing import StartCluster

from tests.sim.grafana_support import NOTHING_LISTENS, TOKEN, grafana, prometheus
from tests.suite.suite_runner import run_suite

pytestmark = pytest.mark.e2e

SELECTED = ("-m", "monitoring", "-k", "grafana or dashboard")


def test_grafana_with_the_dashboard_passes_and_a_dead_data_source_fails(start_cluster: StartCluster,
                                                                       tmp_path: Path) -> None:
    cluster = start_cluster("seed")
    env = {"GF_SA_KEY": TOKEN}
    with prometheus() as live, grafana(live) as server:
        good = run_suite(cluster, tmp_path / "good", *SELECTED, "--grafana-url", server.url,
                         "--grafana-token-env", "GF_SA_KEY", env=env)
    with grafana(NOTHING_LISTENS) as server:
        bad = run_suite(cluster, tmp_path / "bad", *SELECTED, "--grafana-url", server.url,
                        "--grafana-token-env", "GF_SA_KEY", env=env)
    assert good.failing() == set(), good.stdout[-3000:]
    passed = {test for test, (outcome, _) in good.outcomes.items() if outcome == "passed"}
    assert {"test_grafana_shows_the_dashboard", "test_dashboard_has_data_for_the_node[k8s-node05]",
            "test_dashboard_has_data_for_the_node[k8s-node06]"} <= passed
    assert bad.failing() == {("MON-GRAFANA-DASHBOARD", "cluster")}, bad.stdout[-3000:]
    for run, folder in ((good, "good"), (bad, "bad")):
        written = "".join(p.read_text(errors="replace") for p in (tmp_path / folder).rglob("*") if p.is_file())
        assert TOKEN not in run.stdout + written


def test_without_grafana_url_the_check_skips_saying_so(start_cluster: StartCluster, tmp_path: Path) -> None:
    run = run_suite(start_cluster("seed"), tmp_path, *SELECTED)
    assert run.outcomes["test_grafana_shows_the_dashboard"] == ("skipped", "no --grafana-url given")
