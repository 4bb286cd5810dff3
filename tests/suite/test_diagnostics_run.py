"""The opt-in diagnostics on simulated clusters: off by default (deselected, and the run says how to ask for them);
``--dcgm-diag 1`` passes on seed and fails on dcgm-diag-memory-fail, naming the test, the GPU and DCGM's message;
``--perf`` passes on seed and fails on pcie-degraded. One cluster at a time, shared by the tests that need it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gpusim.cluster import SimCluster
from gpusim.scenario import load
from gpusim.testing import TEST_ADDRESS_BLOCK

from tests.suite.suite_runner import ROOT, run_suite

pytestmark = pytest.mark.e2e
MODULE = "conformance/test_diagnostics.py"
PERF_IMAGE = "registry.example/gpu/cuda-perf:12.4"  # NVIDIA publishes none; the test bed knows this name


@pytest.fixture(scope="module")
def cluster_of(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], SimCluster]]:
    """Scenario name -> its running cluster; one cluster at a time (they share the test addresses), kept for the
    tests that follow on the same scenario."""
    running: dict[str, SimCluster] = {}

    def cluster(name: str) -> SimCluster:
        if name not in running:
            for started in running.values():
                started.stop()
            running.clear()
            path = tmp_path_factory.mktemp(name) / "kubeconfig"
            running[name] = SimCluster(load(name), path, time_scale=0.2, address_block=TEST_ADDRESS_BLOCK).start()
        return running[name]

    try:
        yield cluster
    finally:
        for started in running.values():
            started.stop()


@pytest.fixture
def seed(cluster_of: Callable[[str], SimCluster]) -> SimCluster:
    return cluster_of("seed")


@pytest.fixture
def pcie_degraded(cluster_of: Callable[[str], SimCluster]) -> SimCluster:
    return cluster_of("pcie-degraded")


@pytest.fixture
def memory_fail(cluster_of: Callable[[str], SimCluster]) -> SimCluster:
    return cluster_of("dcgm-diag-memory-fail")


def _suite(cluster: SimCluster, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", MODULE, "--kubeconfig", str(cluster.kubeconfig),
               "-p", "no:cacheprovider", "-p", "no:randomly", "-rA", "--pod-timeout", "60", "--summary-dir",
               str(tmp_path), *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)


def test_off_by_default_and_the_run_says_how_to_ask(seed: SimCluster, tmp_path: Path) -> None:
    done = _suite(seed, tmp_path)
    assert "= 3 deselected" in done.stdout  # each check once, on neither node: no Job created
    assert ("gpu-conformance: opt-in checks not run: DIAG-DCGM (--dcgm-diag 1|2|3), PERF-BANDWIDTH (--perf), "
            "PERF-NCCL (--perf)") in done.stdout


def test_dcgm_diag_and_perf_pass_on_seed(seed: SimCluster, tmp_path: Path) -> None:
    done = _suite(seed, tmp_path, "--dcgm-diag", "1", "--perf", "--perf-image", PERF_IMAGE)
    assert done.returncode == 0, done.stdout
    assert done.stdout.count("PASSED conformance/test_diagnostics.py::test_dcgm_diag_passes") == 2
    assert done.stdout.count("PASSED conformance/test_diagnostics.py::test_host_gpu_bandwidth") == 2
    assert "PASSED conformance/test_diagnostics.py::test_nccl_all_reduce_bandwidth[k8s-node05]" in done.stdout
    assert ("[PERF-NCCL] node k8s-node06 has fewer than 2 GPUs (it advertises 1): no all_reduce between GPUs to "
            "measure") in done.stdout
    assert "opt-in checks not run" not in done.stdout


def test_perf_fails_on_a_degraded_pcie_link(pcie_degraded: SimCluster, tmp_path: Path) -> None:
    done = _suite(pcie_degraded, tmp_path, "--perf", "--perf-image", PERF_IMAGE)
    assert done.returncode == 1, done.stdout
    assert "PASSED conformance/test_diagnostics.py::test_host_gpu_bandwidth[k8s-node06]" in done.stdout
    assert "FAILED conformance/test_diagnostics.py::test_host_gpu_bandwidth[k8s-node05]" in done.stdout
    assert "FAILED conformance/test_diagnostics.py::test_nccl_all_reduce_bandwidth[k8s-node05]" in done.stdout
    assert ("[PERF-BANDWIDTH] found host to device 1.6 GB/s, device to host 1.6 GB/s over 2 x NVIDIA GeForce RTX 4090 "
            "at `bandwidthTest --device=all --htod --dtoh` in pod ") in done.stdout
    assert "expected >= 32 GB/s each way (0.5 of 2 x 32 GB/s, the PCIe bandwidth per direction" in done.stdout


def test_dcgm_diag_fails_on_the_gpu_with_faulty_memory(memory_fail: SimCluster, tmp_path: Path) -> None:
    done = _suite(memory_fail, tmp_path, "--dcgm-diag", "1")
    assert done.returncode == 1, done.stdout
    assert "PASSED conformance/test_diagnostics.py::test_dcgm_diag_passes[k8s-node06]" in done.stdout
    assert "FAILED conformance/test_diagnostics.py::test_dcgm_diag_passes[k8s-node05]" in done.stdout
    assert ("[DIAG-DCGM] found test 'software' (Deployment) on GPU 0 failed: GPU 0 had uncorrectable memory errors "
            "and row remapping failed. (DCGM error 80) at `dcgmi diag -r 1 -j` in pod ") in done.stdout


def test_a_long_level_is_announced(memory_fail: SimCluster, tmp_path: Path) -> None:
    done = _suite(memory_fail, tmp_path, "--dcgm-diag", "2")
    assert ("gpu-conformance: --dcgm-diag 2 runs DCGM's diagnostic for about 2 minutes on every GPU node at once, "
            "holding all its GPUs") in done.stdout
    assert "test 'memory' (Hardware) on GPU 0 failed: A memory mismatch was detected on GPU 0" in done.stdout


def test_the_whole_suite_with_both_on_fails_only_what_seed_fails(seed: SimCluster, tmp_path: Path) -> None:
    """The diagnostics hold every GPU of a node while they run: the other checks' pods must not be kept from theirs."""
    run = run_suite(seed, tmp_path, "--dcgm-diag", "1", "--perf", "--perf-image", PERF_IMAGE)
    leaks = {(check, node) for check in ("SEC-NO-REQUEST-NO-GPU", "SEC-ENV-NO-GPU") for node in ("k8s-node05",
                                                                                                "k8s-node06")}
    assert run.failing() == leaks, run.stdout
    ran = {test.split("[")[0] for test, (outcome, _) in run.outcomes.items() if outcome == "passed"}
    assert {"test_dcgm_diag_passes", "test_host_gpu_bandwidth", "test_nccl_all_reduce_bandwidth",
            "test_vectoradd_passes", "test_pod_isolation"} <= ran
