"""The opt-in diagnostics as GPU Jobs on every node at once (the workload machinery, workload.py): DCGM's
``dcgmi diag -r N -j`` in a pod holding all the node's GPUs, its log read as dcgmi's JSON."""

from __future__ import annotations

from collections.abc import Mapping

from gpu_conformance.diagnostics.dcgm_json import NotDcgmJson, parse_dcgm_diag
from gpu_conformance.facts.cluster import WorkloadOutcome
from gpu_conformance.facts.diagnostics import DcgmDiag
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.unavailable import FactsUnavailable

from ..settings import Settings
from .client import Connection
from .run import RunContext
from .workload import GpuAsk, JobKind, RuntimeClasses, run_gpu_jobs

DCGM_COMPONENT = "dcgm-diag"
# How long each level runs once started (FACTS.md: seconds, ~2 min, ~15 min), with room to spare.
DCGM_RUNS_FOR = {"1": 60.0, "2": 300.0, "3": 1800.0}
DCGM_LOG_LINES = 5000  # dcgmi's JSON, indented: a few hundred lines per GPU at level 3
RAN = ("passed", "failed", "cuda_error")  # the pod ran to its end: its log is dcgmi's answer

NodeDiag = DcgmDiag | FactsUnavailable


def dcgm_diag_job(settings: Settings) -> JobKind:
    """The host engine started in the pod (dcgmi talks to one), then the diagnostic; dcgmi exits 0 only when
    every test passed, so a Failed pod with JSON in its log is a diagnosis, not a broken Job."""
    command = ("bash", "-c", f"nv-hostengine && dcgmi diag -r {settings.dcgm_diag} -j")
    return JobKind("dcgmi diag", settings.dcgm_image, "--dcgm-image", passed='"DCGM Diagnostic"', command=command,
                   all_gpus=True, log_lines=DCGM_LOG_LINES, runs_for=DCGM_RUNS_FOR.get(settings.dcgm_diag, 0.0))


def run_dcgm_diag(conn: Connection, settings: Settings, nodes: list[GpuNode], run: RunContext,
                  runtime_classes: RuntimeClasses | None = None) -> Mapping[str, NodeDiag]:
    """Node name -> its diag Job and report (none where the Job did not run to its end), or why neither is known."""
    jobs = run_gpu_jobs(conn, settings, nodes, run, dcgm_diag_job(settings), runtime_classes,
                        ask=GpuAsk(DCGM_COMPONENT))
    return {name: job if isinstance(job, FactsUnavailable) else _read(job, settings.dcgm_diag)
            for name, job in jobs.items()}


def _read(job: WorkloadOutcome, level: str) -> DcgmDiag:
    if job.result not in RAN:
        return DcgmDiag(job, level)
    try:
        return DcgmDiag(job, level, parse_dcgm_diag(job.log))
    except NotDcgmJson as err:
        return DcgmDiag(job, level, unreadable=f"the log of pod {job.pod} is not dcgmi's JSON: {err}")
