"""The opt-in diagnostics as GPU Jobs on every node at once (the workload machinery, workload.py), each pod holding
all the node's GPUs: DCGM's ``dcgmi diag -r N -j`` (its log read as dcgmi's JSON), CUDA samples' bandwidthTest and,
on nodes with 2 or more GPUs, nccl-tests' all_reduce_perf."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from gpu_conformance.diagnostics import UnreadableOutput
from gpu_conformance.diagnostics.bandwidth_test import parse_bandwidth_test
from gpu_conformance.diagnostics.dcgm_json import parse_dcgm_diag
from gpu_conformance.diagnostics.nccl_tests import parse_all_reduce
from gpu_conformance.facts.cluster import WorkloadOutcome
from gpu_conformance.facts.diagnostics import AllReduce, Bandwidth, DcgmDiag, PerfProbe
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
RAN = ("passed", "failed", "cuda_error")  # the pod ran to its end: its log is the tool's answer

NodeDiag = DcgmDiag | FactsUnavailable
NodeProbe = PerfProbe | FactsUnavailable
BANDWIDTH_COMPONENT = "bandwidth"
NCCL_COMPONENT = "nccl-allreduce"
PERF_LOG_LINES = 200
# -g: one thread drives every GPU the container got; nvidia-smi -L lists them (the NVIDIA runtime injects it)
ALL_REDUCE = 'all_reduce_perf -b 64M -e 1G -f 2 -g "$(nvidia-smi -L | wc -l)"'



def dcgm_diag_job(settings: Settings) -> JobKind:
    """The host engine started in the pod (dcgmi talks to one), then the diagnostic; dcgmi exits 0 only when
    every test passed, so a Failed pod with JSON in its log is a diagnosis, not a broken Job."""
    command = ("bash", "-c", f"nv-hostengine && dcgmi diag -r {settings.dcgm_diag} -j")
    return JobKind("dcgmi diag", settings.dcgm_image, "--dcgm-image", passed='"DCGM Diagnostic"', command=command,
                   all_gpus=True, log_lines=DCGM_LOG_LINES, runs_for=DCGM_RUNS_FOR.get(settings.dcgm_diag, 0.0))


def run_dcgm_diag(conn: Connection, settings: Settings, nodes: list[GpuNode], run: RunContext,
                  runtime_classes: RuntimeClasses | None = None) -> dict[str, NodeDiag]:
    """Node name -> its diag Job and report (none where the Job did not run to its end), or why neither is known."""
    jobs = run_gpu_jobs(conn, settings, nodes, run, runtime_classes, kind=dcgm_diag_job(settings),
                        ask=GpuAsk(DCGM_COMPONENT))
    return {name: job if isinstance(job, FactsUnavailable) else DcgmDiag(job, settings.dcgm_diag,
                                                                         *_read(job, parse_dcgm_diag, "dcgmi's JSON"))
            for name, job in jobs.items()}


T = TypeVar("T")


def _read(job: WorkloadOutcome, parse: Callable[[str], T], what: str) -> tuple[T | None, str | None]:
    """(what the log says, None), or (None, why it could not be read); (None, None) when the pod did not run to
    its end (the Job's outcome says why)."""
    if job.result not in RAN:
        return None, None
    try:
        return parse(job.log), None
    except UnreadableOutput as err:
        return None, f"the log of pod {job.pod} is not {what}: {err}"


def bandwidth_job(settings: Settings) -> JobKind:
    return JobKind("bandwidthTest", settings.perf_image or "", "--perf-image", passed="Result = PASS",
                   command=("bandwidthTest", "--device=all", "--htod", "--dtoh"), all_gpus=True,
                   log_lines=PERF_LOG_LINES)


def nccl_job(settings: Settings) -> JobKind:
    return JobKind("all_reduce_perf", settings.perf_image or "", "--perf-image", passed="# Avg bus bandwidth",
                   command=("bash", "-c", ALL_REDUCE), all_gpus=True, log_lines=PERF_LOG_LINES)


def _run_probes(conn: Connection, settings: Settings, nodes: list[GpuNode], run: RunContext, kind: JobKind,
                component: str, parse: Callable[[str], Bandwidth | AllReduce],
                runtime_classes: RuntimeClasses | None) -> dict[str, NodeProbe]:
    jobs = run_gpu_jobs(conn, settings, nodes, run, runtime_classes, kind=kind, ask=GpuAsk(component))
    what = f"{kind.label}'s output"
    return {name: job if isinstance(job, FactsUnavailable) else PerfProbe(job, *_read(job, parse, what))
            for name, job in jobs.items()}


def run_bandwidth(conn: Connection, settings: Settings, nodes: list[GpuNode], run: RunContext,
                  runtime_classes: RuntimeClasses | None = None) -> dict[str, NodeProbe]:
    """Node name -> bandwidthTest over all its GPUs."""
    return _run_probes(conn, settings, nodes, run, bandwidth_job(settings), BANDWIDTH_COMPONENT, parse_bandwidth_test,
                       runtime_classes)


def run_all_reduce(conn: Connection, settings: Settings, nodes: list[GpuNode], run: RunContext,
                   runtime_classes: RuntimeClasses | None = None) -> dict[str, NodeProbe]:
    """Node name -> all_reduce_perf across its GPUs, for the nodes advertising 2 or more (none for the others)."""
    several = [n for n in nodes if n.advertised_gpus >= 2]
    return _run_probes(conn, settings, several, run, nccl_job(settings), NCCL_COMPONENT, parse_all_reduce,
                       runtime_classes)
