"""The real suite publishing its results: pushed to a real Pushgateway and written as a textfile, replacing the
last run's, and a publishing failure that is one line and a non-zero exit without hiding the results."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from gpusim.cluster import SimCluster
from gpusim.scenario import load
from gpusim.testing import TEST_ADDRESS_BLOCK
from prometheus_client.parser import text_string_to_metric_families

from gpu_conformance.reporting.metrics import RunFacts, render
from gpu_conformance.reporting.pushgateway import Pushgateway
from gpu_conformance.reporting.results import Result
from gpu_conformance.reporting.summary import read_summary
from tests.reporting.pushgateway_support import pushgateway
from tests.suite.suite_runner import SuiteRun, run_suite
from tests.suite.test_scenarios import EXPECTED_FAILURES, TUTORIAL_LEVEL, TUTORIAL_SELECTOR

pytestmark = pytest.mark.e2e

CONTEXT = "gpu-sim"  # the simulated cluster's kubeconfig context: the grouping key
Sample = tuple[str, dict[str, str], float]


@dataclass(frozen=True)
class Published:
    run: SuiteRun
    url: str  # the Pushgateway's
    pushed: list[Sample]  # gpu_conformance_* on the Pushgateway's /metrics after the run
    textfile: Path
    pushed_at: float


def samples(text: str) -> list[Sample]:
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(text)
            for s in family.samples if s.name.startswith("gpu_conformance_")]


def successes(found: list[Sample], cluster: str = CONTEXT) -> dict[tuple[str, str], float]:
    return {(labels["check"], labels["node"]): value for name, labels, value in found
            if name == "gpu_conformance_check_success" and labels["cluster"] == cluster}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    """One run of runtime-not-default, after an earlier run that still saw k8s-node99 and another cluster's."""
    folder = tmp_path_factory.mktemp("published")
    cluster = SimCluster(load("runtime-not-default"), folder / "kubeconfig", time_scale=0.2,
                         address_block=TEST_ADDRESS_BLOCK).start()
    try:
        with pushgateway(folder) as running:
            earlier = render([Result("PRE-DRIVER", "k8s-node99", "passed", "", 0.1)], RunFacts(CONTEXT, 1.0, 2.0))
            Pushgateway.parse(running.url).push(CONTEXT, earlier)
            Pushgateway.parse(running.url).push("other", earlier.replace(f'"{CONTEXT}"', '"other"'))
            textfile = folder / "textfile" / "gpu-conformance.prom"
            textfile.parent.mkdir()
            run = run_suite(cluster, folder, *TUTORIAL_SELECTOR, *TUTORIAL_LEVEL, "--pushgateway", running.url,
                            "--metrics-file", str(textfile))
            yield Published(run, running.url, samples(running.get("/metrics").text), textfile, time.time())
    finally:
        cluster.stop()


def test_failing_checks_are_0_and_the_rest_1(published: Published) -> None:
    pushed = successes(published.pushed)
    assert {pair for pair, value in pushed.items() if value == 0} == EXPECTED_FAILURES["runtime-not-default"]
    assert pushed[("PRE-RUNTIME-DEFAULT", "k8s-node05")] == 1 and pushed[("PLUGIN-DEPLOYED", "cluster")] == 1
    skipped = {(check, node) for check, node in pushed if check.startswith("MON-PROM")}
    assert skipped == set()  # no Prometheus was given: skipped, so absent


def test_the_group_is_the_clusters_and_carries_the_run(published: Published) -> None:
    labels = {(s[1]["job"], s[1]["cluster"]) for s in published.pushed}
    assert labels == {("gpu-conformance", CONTEXT), ("gpu-conformance", "other")}
    finished = next(v for name, labels_, v in published.pushed
                    if name == "gpu_conformance_last_run_timestamp_seconds" and labels_["cluster"] == CONTEXT)
    assert published.pushed_at - 120 < finished <= published.pushed_at
    duration = next(v for name, labels_, v in published.pushed
                    if name == "gpu_conformance_run_duration_seconds" and labels_["cluster"] == CONTEXT)
    assert 0 < duration < 120


def test_the_run_replaces_the_last_runs_group_only(published: Published) -> None:
    assert "k8s-node99" not in {node for _, node in successes(published.pushed)}
    assert successes(published.pushed, "other") == {("PRE-DRIVER", "k8s-node99"): 1.0}


def test_the_textfile_holds_the_same_results(published: Published) -> None:
    assert successes(samples(published.textfile.read_text())) == successes(published.pushed)
    assert sorted(p.name for p in published.textfile.parent.iterdir()) == ["gpu-conformance.prom"]


def test_each_destination_is_a_line_after_the_matrix(published: Published) -> None:
    out = published.run.stdout
    pushed = f"metrics: pushed to {published.url}/metrics/job/gpu-conformance/cluster/{CONTEXT}"
    written = f"metrics: written to {published.textfile}"
    assert out.index(" checks on 2 GPU nodes ") < out.index(pushed) < out.index(written)
    assert published.run.returncode == 1  # checks failed; publishing did not change that


def test_every_report_names_the_cluster_the_connection_resolved(published: Published) -> None:
    """No --kube-context was given: summary.json, the Allure environment and the metrics all name the current
    context the connection resolved, never a placeholder."""
    folder = published.textfile.parent.parent
    cluster = read_summary(folder / "summary.json").run.cluster
    assert (cluster.name, cluster.context, cluster.cluster) == (CONTEXT, CONTEXT, CONTEXT)
    assert cluster.server.startswith("https://127.") and cluster.kubeconfig == (str(folder / "kubeconfig"),)
    environment = (folder / "allure-results" / "environment.properties").read_text().splitlines()
    assert f"Kubeconfig\\ context={CONTEXT}" in environment and f"API\\ server={cluster.server}" in environment
    assert {labels["cluster"] for name, labels, _ in published.pushed if name.startswith("gpu_conformance_")} \
        == {CONTEXT, "other"}
