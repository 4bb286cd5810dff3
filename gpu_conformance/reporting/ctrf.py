"""The run as a CTRF report (Common Test Report Format, https://ctrf.io; specVersion 1.0.0 as ctrf-io/ctrf's
schema/ctrf.schema.json has it), for the CI dashboards and tools that read CTRF, NVIDIA's aicr among the writers.

One CTRF test per (check, node), named ``CHECK-ID on NODE`` (``CHECK-ID (cluster)`` for cluster-wide checks), with
the check's failure message. CTRF has no "could not inspect": such results are ``other`` with rawStatus
``broken``. A failure that follows from another keeps its status and carries the root checks in its
``caused_by`` label, as summary.json's ``caused_by``. Messages were redacted before they became results.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import __version__
from ..checks import by_id
from .results import CLUSTER, Result
from .summary import Summary

SPEC_VERSION = "1.0.0"
TOOL = "gpu-conformance"
CTRF_FILE = "ctrf-report.json"
_STATUS = {"passed": "passed", "failed": "failed", "skipped": "skipped", "broken": "other"}


def _name(result: Result) -> str:
    return f"{result.check} (cluster)" if result.node == CLUSTER else f"{result.check} on {result.node}"


def _test(result: Result, titles: Mapping[str, str]) -> dict[str, Any]:
    labels: dict[str, Any] = {"check": result.check, "node": result.node, "level": result.level}
    if result.caused_by:
        labels["caused_by"] = list(result.caused_by)
    test: dict[str, Any] = {
        "name": _name(result), "status": _STATUS[result.outcome], "rawStatus": result.outcome,
        "duration": round(result.duration_s * 1000), "suite": [TOOL, by_id(result.check).area],
        "tags": [result.level], "labels": labels, "message": result.message,
    }
    if result.check in titles:
        test["extra"] = {"title": titles[result.check]}
    return test


def ctrf_report(summary: Summary, titles: Mapping[str, str], started: float, stopped: float) -> dict[str, Any]:
    """The CTRF document of a run that started and stopped at these Unix times (seconds)."""
    results = sorted(summary.results, key=lambda r: (r.node, r.check))
    tests = [_test(r, titles) for r in results]
    counts = {status: sum(1 for t in tests if t["status"] == status) for status in
              ("passed", "failed", "skipped", "pending", "other")}
    start, stop = round(started * 1000), round(stopped * 1000)
    run = summary.run
    return {
        "reportFormat": "CTRF", "specVersion": SPEC_VERSION, "generatedBy": f"{TOOL} {__version__}",
        "results": {
            "tool": {"name": TOOL, "version": __version__},
            "summary": {"tests": len(tests), **counts, "start": start, "stop": stop, "duration": stop - start},
            "tests": tests,
            "environment": {
                "reportName": f"GPU conformance of {run.cluster.name}", "testEnvironment": run.cluster.name,
                "extra": {"server": run.cluster.server, "namespace": run.namespace, "level": run.level,
                          "admission_levels": list(run.admission_levels), "interrupted": run.interrupted},
            },
        },
    }


def write_ctrf(path: Path, summary: Summary, titles: Mapping[str, str], started: float, stopped: float) -> None:
    path.write_text(json.dumps(ctrf_report(summary, titles, started, stopped), indent=2) + "\n")
