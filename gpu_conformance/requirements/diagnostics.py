"""DIAG-DCGM: DCGM's diagnostic reports no failed test on any GPU of the node."""

from __future__ import annotations

from gpu_conformance.checks import DIAG_DCGM
from gpu_conformance.facts.diagnostics import DcgmDiag, DcgmTestResult
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.verdict import Verdict

FAILED = ("Fail",)
NOTED = ("Warn", "Skip")


def _where(result: DcgmTestResult) -> str:
    gpu = f"GPU {result.gpu}" if result.gpu is not None else "no GPU in particular"
    return f"test '{result.test}' ({result.category}) on {gpu}"


def _said(result: DcgmTestResult) -> str:
    words = result.warnings or result.info
    return f": {'; '.join(words)}" if words else ""


def dcgm_diag_passes(diag: DcgmDiag) -> Verdict:
    job = diag.job
    command = f"dcgmi diag -r {diag.level} -j"
    source = f"`{command}` in pod {job.pod or f'of the dcgmi diag Job for {job.node}'} on node {job.node}"
    if job.result == "gpus_busy":
        return Verdict.skipped(DIAG_DCGM, f"other pods hold GPUs of node {job.node}, and the diagnostic needs them "
                                          f"all: {job.detail}")
    if diag.report is None:
        why = diag.unreadable or f"the pod did not run to its end ({job.result}): {job.detail}"
        raise FactsUnavailable(f"{command} on node {job.node}: {why}")
    report = diag.report
    if report.runtime_error:
        return Verdict.failed(DIAG_DCGM, f"the diagnostic stopped: {report.runtime_error!r}", source,
                              "every test run, none failed")
    if not report.results:
        raise FactsUnavailable(f"{command} on node {job.node} reported no test at all (pod {job.pod})")
    failed = [r for r in report.results if r.status in FAILED]
    if failed:
        found = "; ".join(f"{_where(r)} failed{_said(r)}" for r in failed)
        return Verdict.failed(DIAG_DCGM, found, source, "no failed test")
    gpus = sorted({r.gpu for r in report.results if r.gpu is not None})
    tests = sorted({r.test for r in report.results})
    noted = [f"{_where(r)}: {r.status}{_said(r)}" for r in report.results if r.status in NOTED]
    version = f" (DCGM {report.version})" if report.version else ""
    found = (f"every test passed{version}: {', '.join(tests)} on GPUs {', '.join(map(str, gpus)) or 'none'}"
             + (f"; noted: {'; '.join(noted)}" if noted else ""))
    return Verdict.passed(DIAG_DCGM, found, source)
