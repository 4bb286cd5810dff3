"""``dcgmi diag -r N -j``'s JSON, as dcgmi 4.x writes it (NVIDIA/DCGM dcgmi/Diag.cpp HelperJsonBuildOutput, key
names in nvvs/include/NvvsJsonStrings.h, schema testing/python3/dcgm_diag_schema.json):

    {"DCGM Diagnostic": {"test_categories": [{"category": "Deployment", "tests": [{"name": "software",
        "results": [{"entity_group": "GPU", "entity_group_id": 1, "entity_id": 0, "status": "Fail",
                     "warnings": [{"warning": "...", "error_id": 80, "error_category": 10, "error_severity": 6}],
                     "info": ["..."]}],
        "test_summary": {"status": "Fail"}}]}], "runtime_error": "..."},
     "entity_groups": [...], "metadata": {"version": "4.2.3", "Driver Version Detected": "..."}}

A test run for no entity in particular has only its ``test_summary``. DCGM 3.x's shape (``"DCGM GPU
Diagnostic"``, ``gpu_ids``) is read too: its results name GPUs by ``gpu_ids``. What precedes the JSON in the log
(nv-hostengine's "Started host engine ..." line) is skipped, as DCGM's own tests trim it
(testing/python3 ``trimJsonText``).
"""

from __future__ import annotations

import json
from typing import Any

from gpu_conformance.diagnostics import UnreadableOutput
from gpu_conformance.facts.diagnostics import DcgmDiagReport, DcgmTestResult

ROOTS = ("DCGM Diagnostic", "DCGM GPU Diagnostic")  # dcgmi 4.x, 3.x


class NotDcgmJson(UnreadableOutput):
    """The text holds no dcgmi diag JSON; the message says what was found instead."""


def _warnings(entry: dict[str, Any]) -> tuple[str, ...]:
    found = []
    for warning in entry.get("warnings") or []:
        if isinstance(warning, dict):
            code = warning.get("error_id")
            text = str(warning.get("warning", "")).strip()
            found.append(f"{text} (DCGM error {code})" if code is not None else text)
        else:
            found.append(str(warning))
    return tuple(found)


def _gpu(entry: dict[str, Any]) -> int | None:
    if entry.get("entity_group", "GPU") == "GPU" and isinstance(entry.get("entity_id"), int):
        return int(entry["entity_id"])
    ids = str(entry.get("gpu_ids") or entry.get("gpu_id") or "").split(",")[0].strip()  # 3.x
    return int(ids) if ids.isdigit() else None


def _result(category: str, test: str, entry: dict[str, Any], gpu: int | None) -> DcgmTestResult:
    info = entry.get("info") or ()
    return DcgmTestResult(category, test, gpu, str(entry.get("status", "")), _warnings(entry),
                          tuple(str(i) for i in ([info] if isinstance(info, str) else info)))


def _test_results(category: str, test: dict[str, Any]) -> list[DcgmTestResult]:
    name = str(test.get("name", "?"))
    results = [_result(category, name, r, _gpu(r)) for r in test.get("results") or [] if isinstance(r, dict)]
    summary = test.get("test_summary")
    if not results and isinstance(summary, dict):
        results.append(_result(category, name, summary, None))
    return results


def parse_dcgm_diag(text: str) -> DcgmDiagReport:
    """The report in a diag pod's log; NotDcgmJson when there is none."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise NotDcgmJson("no JSON object in the log")
    try:
        body = json.loads(text[start:end + 1])
    except json.JSONDecodeError as err:
        raise NotDcgmJson(f"its JSON does not parse: {err}") from None
    root = next((body[key] for key in ROOTS if isinstance(body, dict) and isinstance(body.get(key), dict)), None)
    if root is None:
        raise NotDcgmJson(f"its JSON has no {' or '.join(repr(k) for k in ROOTS)} object")
    results = [result for category in root.get("test_categories") or [] if isinstance(category, dict)
               for test in category.get("tests") or [] if isinstance(test, dict)
               for result in _test_results(str(category.get("category", "?")), test)]
    metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    version = metadata.get("version") or root.get("version")
    error = root.get("runtime_error")
    return DcgmDiagReport(tuple(results), str(error) if error else None, str(version) if version else None)
