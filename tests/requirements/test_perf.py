"""PERF-BANDWIDTH and PERF-NCCL's judges: a share (--perf-floor) of the data sheet's figure, per direction; an
unknown model, busy GPUs and single-GPU nodes are skipped saying why; unreadable output is "could not inspect"."""

from __future__ import annotations

import pytest

from gpu_conformance.facts.cluster import WorkloadOutcome, WorkloadResult
from gpu_conformance.facts.diagnostics import AllReduce, Bandwidth, PerfProbe
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.perf import all_reduce_passes, bandwidth_passes
from gpu_conformance.settings import resolve
from tests.requirements.builders import NODE, gpu_node

pytestmark = pytest.mark.unit
RTX = "NVIDIA GeForce RTX 4090"
H100 = "NVIDIA H100 80GB HBM3"
POD = "gpu-conformance/bandwidth-k8s-node05-x"
SETTINGS = resolve({"perf": True, "perf_image": "registry.example/gpu/cuda-perf:12.4"})


def probe(measured: Bandwidth | AllReduce | None, result: WorkloadResult = "passed", detail: str = "Result = PASS",
          unreadable: str | None = None) -> PerfProbe:
    return PerfProbe(WorkloadOutcome(NODE, result, detail, "registry.example/gpu/cuda-perf:12.4", POD, "", ()),
                     measured, unreadable)


def test_bandwidth_at_data_sheet_share_passes() -> None:
    verdict = bandwidth_passes(probe(Bandwidth((RTX, RTX), 50.4, 49.8, True)), SETTINGS)
    assert verdict.ok and not verdict.skip
    assert verdict.message == (
        f"found host to device 50.4 GB/s, device to host 49.8 GB/s over 2 x {RTX} (32 GB/s each way (0.5 of 2 x 32 "
        "GB/s, the PCIe bandwidth per direction of the RTX 4090's data sheet)) at `bandwidthTest --device=all --htod "
        f"--dtoh` in pod {POD} on node {NODE}")


def test_a_slow_direction_fails_naming_both_and_the_floor() -> None:
    verdict = bandwidth_passes(probe(Bandwidth((RTX, RTX), 1.6, 40.0, True)), resolve({"perf_floor": "0.75"}))
    assert not verdict.ok
    assert verdict.message.startswith(
        f"[PERF-BANDWIDTH] found host to device 1.6 GB/s, device to host 40 GB/s over 2 x {RTX} at `bandwidthTest "
        f"--device=all --htod --dtoh` in pod {POD} on node {NODE}, expected >= 48 GB/s each way (0.75 of 2 x 32 "
        "GB/s, the PCIe bandwidth per direction of the RTX 4090's data sheet); fix: check the GPUs' PCIe link")


def test_an_unknown_model_is_skipped_with_what_was_measured() -> None:
    verdict = bandwidth_passes(probe(Bandwidth(("NVIDIA Quadro RTX 8000",), 12.0, 13.0, True)), SETTINGS)
    assert verdict.skip
    assert verdict.message == (
        "[PERF-BANDWIDTH] no data sheet figure for NVIDIA Quadro RTX 8000 in the suite's table "
        "(gpu_conformance/diagnostics/perf_table.py): host to device 12 GB/s, device to host 13 GB/s over 1 x NVIDIA "
        "Quadro RTX 8000 not judged")


def test_nvlink_boards_are_held_to_nvlink() -> None:
    slow = AllReduce((H100,) * 8, 1 << 30, 40.0, 38.2, 0)
    verdict = all_reduce_passes(probe(slow), gpu_node(gpus=8), SETTINGS)
    assert not verdict.ok
    assert ("expected >= 225 GB/s (0.5 of 450 GB/s, the NVLink bandwidth per direction of the H100's data sheet) and "
            "no wrong value") in verdict.message
    assert all_reduce_passes(probe(AllReduce((H100,) * 8, 1 << 30, 357.78, 331.5, 0)), gpu_node(gpus=8), SETTINGS).ok


def test_wrong_values_fail_however_fast() -> None:
    verdict = all_reduce_passes(probe(AllReduce((H100,) * 8, 1 << 30, 357.78, 331.5, 3)), gpu_node(gpus=8), SETTINGS)
    assert not verdict.ok and "found 3 wrong values (bus bandwidth 357.78 GB/s" in verdict.message


def test_one_gpu_no_all_reduce() -> None:
    verdict = all_reduce_passes(None, gpu_node(gpus=1), SETTINGS)
    assert verdict.skip and "fewer than 2 GPUs (it advertises 1)" in verdict.message


def test_busy_gpus_skip() -> None:
    verdict = bandwidth_passes(probe(None, "gpus_busy", "1 of 2 nvidia.com/gpu of k8s-node05 are in use"), SETTINGS)
    assert verdict.skip and "needs them all: 1 of 2" in verdict.message


@pytest.mark.parametrize(("unreadable", "said"), [
    (None, r"the pod did not run to its end \(image_pull\): no pull"),
    ("the log of pod p is not bandwidthTest's output: no pinned-memory bandwidth table in the log", "no pinned"),
])
def test_nothing_measured_is_could_not_inspect(unreadable: str | None, said: str) -> None:
    with pytest.raises(FactsUnavailable, match=said):
        bandwidth_passes(probe(None, "image_pull", "no pull", unreadable), SETTINGS)
