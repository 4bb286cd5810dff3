"""``nvcr.io/nvidia/cloud-native/dcgm`` (and mirrors of it): ``nv-hostengine`` then ``dcgmi diag -r N -j``.

The JSON is what dcgmi 4.x writes (NVIDIA/DCGM dcgmi/Diag.cpp HelperJsonBuildOutput, key names from
nvvs/include/NvvsJsonStrings.h, schema testing/python3/dcgm_diag_schema.json): ``"DCGM Diagnostic"`` holding
``test_categories`` (``category``, ``tests``: ``name``, per-GPU ``results`` with ``entity_group``,
``entity_group_id``, ``entity_id``, ``status`` and ``warnings`` of ``warning``/``error_id``/``error_category``/
``error_severity``, and a ``test_summary``), beside ``entity_groups`` and ``metadata``. Which tests each level runs
is NvidiaValidationSuite::FillTestVectors (nvvs/src/NvidiaValidationSuite.cpp): the software test always,
``pcie`` and ``memory`` from level 2, ``diagnostic``, ``targeted_stress``, ``targeted_power`` and
``memory_bandwidth`` from level 3. Error ids, categories, severities and messages are dcgmlib/dcgm_errors.h's
(DCGM_FR_ROW_REMAP_FAILURE, DCGM_FR_MEMORY_MISMATCH). dcgmi exits with the dcgmReturn_t it got, as a byte:
DCGM_ST_NVVS_ERROR (-30) is 226, DCGM_ST_NVVS_ISOLATE_ERROR (-51, when an error's priority is ISOLATE, Diag.cpp)
205. What it prints when it sees no GPU was not confirmed in the source: the
runtime_error text below is the test bed's.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..model import Gpu
from .base import ContainerContext, Outcome, Script, command_line, repository

VERSION = "4.2.3"
HOSTENGINE = f"Started host engine version {VERSION} using port number: 5555\n"
NVVS_ERROR_EXIT = 256 - 30  # DCGM_ST_NVVS_ERROR
NVVS_ISOLATE_EXIT = 256 - 51  # DCGM_ST_NVVS_ISOLATE_ERROR: an error of priority DCGM_ERROR_ISOLATE (severity 2)
_ISOLATE = 2
_LEVEL = re.compile(r"(?:-r|--run)\s*=?\s*(\d)\b")
# (level it starts at, category, test)
_TESTS = (
    (1, "Deployment", "software"),
    (2, "Integration", "pcie"),
    (2, "Hardware", "memory"),
    (3, "Hardware", "diagnostic"),
    (3, "Stress", "targeted_stress"),
    (3, "Stress", "targeted_power"),
    (3, "Stress", "memory_bandwidth"),
)
_SECONDS = {1: 1.0, 2: 2.0, 3: 3.0}  # simulated; the real runs take seconds, ~2 min, ~15 min
_ROW_REMAP_FAILURE = (80, 10, 6, "GPU {} had uncorrectable memory errors and row remapping failed.")
_MEMORY_MISMATCH = (58, 10, 2, "A memory mismatch was detected on GPU {}, but no error was reported by CUDA or NVML.")
_FAILS_ON_BAD_MEMORY = {"software": _ROW_REMAP_FAILURE, "memory": _MEMORY_MISMATCH}
_PCI_DEVICE_IDS = {"RTX 4090": "2684", "RTX 4080": "2704", "H100 80GB HBM3": "2330", "A100-SXM4-40GB": "20b0",
                   "Tesla T4": "1eb8"}


def matches(image: str) -> bool:
    return repository(image).endswith(("nvidia/cloud-native/dcgm", "nvidia/dcgm"))


def image_env(image: str) -> dict[str, str]:
    return {"NVIDIA_VISIBLE_DEVICES": "all", "NVIDIA_DRIVER_CAPABILITIES": "compute,utility"}


def _device_id(gpu: Gpu) -> str:
    return next((pci for needle, pci in _PCI_DEVICE_IDS.items() if needle in gpu.name), "")


def _result(gpu: Gpu, test: str, bad_memory: bool) -> dict[str, Any]:
    result: dict[str, Any] = {"entity_group": "GPU", "entity_group_id": 1, "entity_id": gpu.index, "status": "Pass"}
    failure = _FAILS_ON_BAD_MEMORY.get(test) if bad_memory else None
    if failure is not None:
        error_id, category, severity, message = failure
        result["status"] = "Fail"
        result["warnings"] = [{"error_category": category, "error_id": error_id, "error_severity": severity,
                               "warning": message.format(gpu.index)}]
    return result


def diag_json(level: int, gpus: tuple[Gpu, ...], bad_memory: tuple[int, ...], driver: str) -> dict[str, Any]:
    categories: dict[str, list[dict[str, Any]]] = {}
    for first, category, test in _TESTS:
        if level < first:
            continue
        results = [_result(gpu, test, gpu.index in bad_memory) for gpu in gpus]
        failed = any(r["status"] == "Fail" for r in results)
        summary: dict[str, Any] = {"status": "Fail" if failed else "Pass"}
        if failed:
            summary["warnings"] = [w for r in results for w in r.get("warnings", [])]
        categories.setdefault(category, []).append({"name": test, "results": results, "test_summary": summary})
    return {
        "DCGM Diagnostic": {"test_categories": [{"category": c, "tests": t} for c, t in categories.items()]},
        "entity_groups": [{"entity_group": "GPU", "entity_group_id": 1,
                           "entities": [{"entity_id": g.index, "device_id": _device_id(g)} for g in gpus]}],
        "metadata": {"version": VERSION, "Driver Version Detected": driver},
    }


def run(ctx: ContainerContext) -> Outcome:
    words = " ".join(command_line(ctx.container))
    if "dcgmi diag" not in words:
        return Script(steps=((0.1, HOSTENGINE),), exit_code=None)  # the image's own use: a host engine
    level = int(m.group(1)) if (m := _LEVEL.search(words)) else 1
    if not 1 <= level <= 4:
        return Script(steps=((0.1, f"Invalid value for -r: {level}\n"),), exit_code=255)
    gpus = ctx.visible_gpus
    if not gpus or ctx.node is None or ctx.node.host is None:
        body = {"DCGM Diagnostic": {"runtime_error": "No GPUs were found on this system."}}
        return Script(steps=((0.5, HOSTENGINE + json.dumps(body, indent=3) + "\n"),), exit_code=NVVS_ERROR_EXIT)
    body = diag_json(min(level, 3), gpus, ctx.node.hardware.memory_faults, ctx.node.host.driver_version or "")
    output = HOSTENGINE + json.dumps(body, indent=3) + "\n"
    return Script(steps=((_SECONDS[min(level, 3)], output),), exit_code=_exit_code(body))


def _exit_code(body: dict[str, Any]) -> int:
    severities = [w["error_severity"] for c in body["DCGM Diagnostic"]["test_categories"] for t in c["tests"]
                  for r in t["results"] for w in r.get("warnings", [])]
    if not severities:
        return 0
    return NVVS_ISOLATE_EXIT if _ISOLATE in severities else NVVS_ERROR_EXIT
