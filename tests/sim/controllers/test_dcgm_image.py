"""The DCGM image: ``dcgmi diag -r N -j`` prints dcgmi 4.x's JSON for the GPUs the container sees, and fails the
software and memory tests of a GPU whose memory is faulty (NVIDIA/DCGM dcgmi/Diag.cpp, dcgmlib/dcgm_errors.h)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from gpusim.hardware import GpuHardware
from gpusim.model import Scenario
from gpusim.resources import POD

from .conftest import Sim, gpu_node, pod_manifest, scenario

DCGM = "nvcr.io/nvidia/cloud-native/dcgm:4.2.3-1-ubuntu22.04"


def diag(sim: Sim, level: int) -> tuple[dict[str, Any], int]:
    """Run ``dcgmi diag -r level -j`` as the suite's Job does; (its JSON, its exit code)."""
    name = f"diag-{level}"
    command = ["bash", "-c", f"nv-hostengine && dcgmi diag -r {level} -j"]
    sim.store.create(POD, pod_manifest(name, DCGM, command=command, nodeName="gpu-1"))
    sim.wait(lambda: sim.phase(name) in ("Succeeded", "Failed") or None, what="diag pod ending")
    log = sim.log(name, name)
    assert log.startswith("Started host engine version ")
    code = sim.pod(name)["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"]
    return json.loads(log[log.index("{"):]), code


def results(body: dict[str, Any]) -> dict[tuple[str, int], str]:
    return {(test["name"], r["entity_id"]): r["status"]
            for category in body["DCGM Diagnostic"]["test_categories"] for test in category["tests"]
            for r in test["results"]}


def test_level_1_runs_the_software_test_on_every_gpu(start_sim: Callable[[Scenario], Sim]) -> None:
    body, code = diag(start_sim(scenario(gpu_node("gpu-1", "127.0.10.2"))), 1)
    assert code == 0
    assert results(body) == {("software", 0): "Pass", ("software", 1): "Pass"}
    assert body["metadata"]["Driver Version Detected"] == "535.104.05"


@pytest.mark.parametrize(("level", "failing", "exit_code"), [
    (1, {"software"}, 226),  # DCGM_ST_NVVS_ERROR as an exit status
    (2, {"software", "memory"}, 205),  # DCGM_ST_NVVS_ISOLATE_ERROR: the memory mismatch's priority is ISOLATE
])
def test_a_gpu_with_faulty_memory_fails_with_dcgms_message(start_sim: Callable[[Scenario], Sim], level: int,
                                                           failing: set[str], exit_code: int) -> None:
    node = replace(gpu_node("gpu-1", "127.0.10.2"), hardware=GpuHardware(memory_faults=(1,)))
    body, code = diag(start_sim(scenario(node)), level)
    assert code == exit_code
    statuses = results(body)
    assert {test for (test, gpu), status in statuses.items() if status == "Fail"} == failing
    assert all(status == "Pass" for (_, gpu), status in statuses.items() if gpu == 0)
    software = body["DCGM Diagnostic"]["test_categories"][0]["tests"][0]
    assert software["test_summary"]["status"] == "Fail"
    assert software["results"][1]["warnings"] == [{
        "error_category": 10, "error_id": 80, "error_severity": 6,
        "warning": "GPU 1 had uncorrectable memory errors and row remapping failed."}]
