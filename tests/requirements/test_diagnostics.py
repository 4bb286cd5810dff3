"""DIAG-DCGM's judge: a failed test fails naming test, GPU and DCGM's message; Warn and Skip are noted; a Job that
did not run, or a log that is not dcgmi's JSON, is "could not inspect"."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpu_conformance.diagnostics.dcgm_json import parse_dcgm_diag
from gpu_conformance.facts.cluster import WorkloadOutcome, WorkloadResult
from gpu_conformance.facts.diagnostics import DcgmDiag, DcgmDiagReport, DcgmTestResult
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.diagnostics import dcgm_diag_passes

pytestmark = pytest.mark.unit
SAMPLE = (Path(__file__).parents[1] / "diagnostics" / "data" / "dcgmi-diag-r2-memory-fail.log").read_text()
NODE = "k8s-node05"
POD = "gpu-conformance/dcgm-diag-k8s-node05-x"
SOURCE = f"`dcgmi diag -r 2 -j` in pod {POD} on node {NODE}"


def job(result: WorkloadResult = "failed", detail: str = "exit code 205") -> WorkloadOutcome:
    return WorkloadOutcome(NODE, result, detail, "nvcr.io/nvidia/cloud-native/dcgm:4.3.1-1-ubuntu22.04", POD, "", ())


def diag(report: DcgmDiagReport | None, result: WorkloadResult = "failed", detail: str = "exit code 205") -> DcgmDiag:
    return DcgmDiag(job(result, detail), "2", report)


def test_each_failed_test_is_named_with_its_gpu_and_dcgms_message() -> None:
    verdict = dcgm_diag_passes(diag(parse_dcgm_diag(SAMPLE)))
    assert not verdict.ok
    assert verdict.message.startswith(
        "[DIAG-DCGM] found test 'software' (Deployment) on GPU 0 failed: GPU 0 had uncorrectable memory errors and "
        "row remapping failed. (DCGM error 80); test 'memory' (Hardware) on GPU 0 failed: A memory mismatch was "
        f"detected on GPU 0, but no error was reported by CUDA or NVML. (DCGM error 58) at {SOURCE}, expected no "
        "failed test; fix: drain the node")


def test_passes_noting_warnings() -> None:
    results = (DcgmTestResult("Deployment", "software", 0, "Pass"),
               DcgmTestResult("Integration", "pcie", 0, "Warn", ("GPU 0 is running at PCI link generation 3",)))
    verdict = dcgm_diag_passes(diag(DcgmDiagReport(results, version="4.2.3")))
    assert verdict.ok and not verdict.skip
    assert verdict.message == (
        "found every test passed (DCGM 4.2.3): pcie, software on GPUs 0; noted: test 'pcie' (Integration) on GPU 0: "
        f"Warn: GPU 0 is running at PCI link generation 3 at {SOURCE}")


def test_a_runtime_error_fails() -> None:
    verdict = dcgm_diag_passes(diag(DcgmDiagReport((), runtime_error="No GPUs were found on this system.")))
    assert not verdict.ok
    assert "found the diagnostic stopped: 'No GPUs were found on this system.'" in verdict.message


def test_busy_gpus_skip() -> None:
    verdict = dcgm_diag_passes(diag(None, result="gpus_busy", detail="1 of 2 nvidia.com/gpu of k8s-node05 are in use"))
    assert verdict.skip and "needs them all: 1 of 2 nvidia.com/gpu" in verdict.message


@pytest.mark.parametrize(("outcome", "unreadable", "said"), [
    (diag(None, result="image_pull", detail='image "x" could not be pulled'), None,
     "the pod did not run to its end (image_pull): image \"x\" could not be pulled"),
    (diag(None), "the log of pod p is not dcgmi's JSON: no JSON object in the log", "not dcgmi's JSON"),
    (diag(DcgmDiagReport(())), None, "reported no test at all"),
])
def test_what_could_not_be_read_is_could_not_inspect(outcome: DcgmDiag, unreadable: str | None, said: str) -> None:
    if unreadable:
        outcome = DcgmDiag(outcome.job, outcome.level, unreadable=unreadable)
    with pytest.raises(FactsUnavailable, match=said.replace("(", r"\(").replace(")", r"\)")):
        dcgm_diag_passes(outcome)
