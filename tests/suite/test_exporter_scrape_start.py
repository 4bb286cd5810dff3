"""The exporters are scraped once per run, started before the first test, and only when a selected check reads them:
collecting, or a run of checks that read no exporter, sends them nothing (fixtures/exporters.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from gpusim.cluster import SimCluster
from gpusim.testing import running
from prometheus_client.parser import text_string_to_metric_families

from tests.sim.fault_api import scrape
from tests.suite.suite_runner import ROOT

pytestmark = pytest.mark.e2e
NODES = ("k8s-node05", "k8s-node06")  # seed's GPU nodes


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    with running("seed", tmp_path_factory.mktemp("seed")) as cluster:
        yield cluster


def answered(cluster: SimCluster) -> dict[str, float]:
    """Each GPU node's count of scrapes answered, as its exporter reports it (this read counted too)."""
    counts = {}
    for node in NODES:
        families = text_string_to_metric_families(scrape(cluster, node).text)
        counts[node] = sum(sample.value for family in families for sample in family.samples
                           if sample.name == "promhttp_metric_handler_requests_total")
    return counts


def scrapes_by_run(cluster: SimCluster, tmp_path: Path, *args: str) -> dict[str, float]:
    """How many times a suite run scraped each GPU node's exporter."""
    before = answered(cluster)
    command = [sys.executable, "-m", "pytest", "--kubeconfig", str(cluster.kubeconfig), "-p", "no:cacheprovider",
               "-p", "no:randomly", "-q", "--summary-dir", str(tmp_path), "-m", "not workload", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode in (0, 5), done.stdout + done.stderr  # 5: nothing collected
    after = answered(cluster)
    return {node: after[node] - before[node] - 1 for node in NODES}  # less the read of ``before``


def test_a_run_of_exporter_checks_scrapes_each_exporter_once(seed: SimCluster, tmp_path: Path) -> None:
    assert scrapes_by_run(seed, tmp_path, "conformance/test_exporters.py") == dict.fromkeys(NODES, 1)


@pytest.mark.parametrize("args", [("conformance/test_exporters.py", "--co"), ("conformance/test_capacity.py",)],
                         ids=["collecting", "checks-reading-no-exporter"])
def test_no_scrape_when_no_selected_check_reads_it(seed: SimCluster, tmp_path: Path, args: tuple[str, ...]) -> None:
    assert scrapes_by_run(seed, tmp_path, *args) == dict.fromkeys(NODES, 0)
