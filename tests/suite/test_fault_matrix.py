"""The fault matrix: an API server answering 50% 5xx or 60% 429 changes no verdict of the suite.

Outside testers saw such faults turn into FAILs of WORKLOAD-VECTORADD, "probe output is not JSON" and raw
tracebacks. Here the seed cluster (two GPU nodes) is checked once healthy and five times (seeds 1-5) under each
fault, and every (check, node) outcome is compared with the healthy run's: the same, or "could not inspect" with
the API call named; never another FAIL, never a traceback. Retry-After is 2 s, as the testers had it.

The eleven runs go at once, each against its own cluster: a throttled run mostly waits out Retry-After, so
together they take about as long as the slowest one.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from gpusim.cluster import SimCluster
from gpusim.model import ApiFaults, Scenario
from gpusim.scenario import load
from gpusim.testing import TEST_ADDRESS_BLOCK

from tests.suite.suite_runner import SuiteRun, run_suite

pytestmark = pytest.mark.e2e

SEEDS = (1, 2, 3, 4, 5)
FAULTS = {
    "errors-50pct": ApiFaults(error_ratio=0.5),
    "throttled-60pct": ApiFaults(throttle_ratio=0.6, retry_after_seconds=2),
}
FAULTY = [f"{fault}-seed{seed}" for fault in FAULTS for seed in SEEDS]
HEALTHY = "healthy"
TUTORIAL_SELECTOR = ("--gpu-node-selector", "gpu-node=true")
API_NAMED = re.compile(r"the API server answered \d{3}|the API server broke the connection|the API call \S+ \S+ failed")
TRACEBACKS = ("Traceback (most recent call last)", "ApiException", "urllib3.exceptions", "MaxRetryError")
RUN_TIMEOUT = 420.0
# Real time in the clusters: a throttled run takes minutes, and at the usual 0.2 the vectoradd Job's
# ttlSecondsAfterFinished (2 x --pod-timeout) would pass in 24 s, deleting a pod before its log could be read.


def _side_by_side(scenario: Scenario, index: int) -> Scenario:
    """Node addresses 127.0.<10 + index>.y: the clusters' exporters may then share one address block."""
    def move(ip: str) -> str:
        octets = ip.split(".")
        return ".".join([octets[0], octets[1], str(10 + index), octets[3]])

    return replace(scenario, nodes=tuple(replace(node, internal_ip=move(node.internal_ip)) for node in scenario.nodes))


@dataclass(frozen=True)
class Run:
    """One suite run: its process and its (check, node) -> (outcome, message), as summary.json says them."""

    process: SuiteRun
    results: dict[tuple[str, str], tuple[str, str]]

    @classmethod
    def of(cls, process: SuiteRun, directory: Path) -> Run:
        summary = directory / "summary.json"
        body = json.loads(summary.read_text()) if summary.exists() else {"results": []}
        return cls(process, {(r["check"], r["node"]): (r["outcome"], r["message"]) for r in body["results"]})


def _run(cluster: SimCluster, directory: Path) -> Run:
    return Run.of(run_suite(cluster, directory, *TUTORIAL_SELECTOR, timeout=RUN_TIMEOUT), directory)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    plans = {HEALTHY: ApiFaults(), **{f"{fault}-seed{seed}": replace(faults, seed=seed)
                                      for fault, faults in FAULTS.items() for seed in SEEDS}}
    seed = load("hardened")  # the seed cluster with nothing leaking: seed itself fails its SEC checks
    clusters: dict[str, SimCluster] = {}
    try:
        for index, (name, faults) in enumerate(plans.items()):
            scenario = replace(_side_by_side(seed, index), name=f"seed-{name}", api_faults=faults)
            kubeconfig = tmp_path_factory.mktemp(f"cluster-{name}") / "kubeconfig"
            clusters[name] = SimCluster(scenario, kubeconfig, time_scale=1.0,
                                        address_block=TEST_ADDRESS_BLOCK).start()
        with ThreadPoolExecutor(max_workers=len(clusters)) as pool:
            started = {name: pool.submit(_run, cluster, tmp_path_factory.mktemp(f"run-{name}"))
                       for name, cluster in clusters.items()}
            return {name: future.result() for name, future in started.items()}
    finally:
        for cluster in clusters.values():
            cluster.stop()


def test_the_healthy_run_passes_every_check(runs: dict[str, Run]) -> None:
    healthy = runs[HEALTHY]
    assert healthy.process.returncode == 0, healthy.process.stdout
    assert {outcome for outcome, _ in healthy.results.values()} == {"passed", "skipped"}
    assert {node for _, node in healthy.results} == {"cluster", "k8s-node05", "k8s-node06"}


@pytest.mark.parametrize("name", FAULTY)
def test_api_faults_change_no_verdict(name: str, runs: dict[str, Run]) -> None:
    healthy, faulty = runs[HEALTHY], runs[name]
    output = faulty.process.stdout + faulty.process.stderr
    assert set(faulty.results) == set(healthy.results), output
    changed = {key: result for key, result in faulty.results.items() if result[0] != healthy.results[key][0]}
    not_the_api = {key: result for key, result in changed.items()
                   if not (result[0] == "broken" and result[1].startswith("could not inspect:")
                           and API_NAMED.search(result[1]))}
    assert not_the_api == {}, output
    assert [marker for marker in TRACEBACKS if marker in output] == [], output
    assert faulty.process.returncode == (1 if changed else 0), output
