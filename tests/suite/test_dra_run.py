"""The whole suite, default options, on the test bed's `dra` scenario (Kubernetes 1.34, GPUs handed out by NVIDIA's
DRA driver only, containerd injecting them as CDI devices with runc its default runtime): --gpu-request auto chooses
DRA, every check that runs passes, DRA-VECTORADD and DRA-SECURE-ACCESS among them on both GPU nodes, and the run leaves
no ResourceClaimTemplate or ResourceClaim behind."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from gpusim.cluster import SimCluster
from gpusim.testing import eventually, kubectl, running

from tests.suite.suite_runner import SuiteRun, run_suite

pytestmark = pytest.mark.e2e
NODES = ("k8s-node05", "k8s-node06")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    with running("dra", tmp_path_factory.mktemp("dra")) as started:
        yield started


@pytest.fixture(scope="module")
def run(cluster: SimCluster, tmp_path_factory: pytest.TempPathFactory) -> SuiteRun:
    return run_suite(cluster, tmp_path_factory.mktemp("dra-run"), timeout=480)


def test_every_check_passes(run: SuiteRun) -> None:
    assert run.failing() == set(), run.stdout[-4000:]
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "--gpu-request auto: dra" in run.stdout


@pytest.mark.parametrize("test", ["test_dra_vectoradd_passes", "test_dra_secure_access"])
@pytest.mark.parametrize("node", NODES)
def test_the_claim_checks_pass_on_each_node(run: SuiteRun, test: str, node: str) -> None:
    (outcome,) = [o for name, o in run.outcomes.items() if name.startswith(f"{test}[") and node in name]
    assert outcome[0] == "passed", outcome


def test_no_claim_or_template_is_left(cluster: SimCluster, run: SuiteRun) -> None:
    def left() -> list[str]:
        found = kubectl(cluster, "get", "resourceclaimtemplates,resourceclaims", "-A", "-o", "json", check=False)
        return [i["metadata"]["name"] for i in json.loads(found.stdout)["items"]] if found.returncode == 0 else ["?"]

    eventually(lambda: not left(), what="the run's templates and claims deleted")
