"""What the opt-in diagnostics found on a node: DCGM's diagnostic, as dcgmi reported it."""

from __future__ import annotations

from dataclasses import dataclass

from .cluster import WorkloadOutcome


@dataclass(frozen=True)
class DcgmTestResult:
    """One test's result for one GPU (``gpu`` None: the test's summary, for no GPU in particular)."""

    category: str  # "Deployment", "Hardware", "Integration", "Stress"
    test: str  # "software", "memory", "pcie", ...
    gpu: int | None  # DCGM's GPU id (entity_id)
    status: str  # "Pass", "Fail", "Warn", "Skip"
    warnings: tuple[str, ...] = ()  # "message (DCGM error N)"
    info: tuple[str, ...] = ()


@dataclass(frozen=True)
class DcgmDiagReport:
    """``dcgmi diag -j``'s JSON, read: every per-GPU result, or the runtime error that stopped it."""

    results: tuple[DcgmTestResult, ...]
    runtime_error: str | None = None
    version: str | None = None  # metadata.version: DCGM's


@dataclass(frozen=True)
class DcgmDiag:
    """The diag Job on one node, and its report when the pod printed one (``unreadable``: why it could not be
    read although the pod ran)."""

    job: WorkloadOutcome
    level: str
    report: DcgmDiagReport | None = None
    unreadable: str | None = None


@dataclass(frozen=True)
class Bandwidth:
    """bandwidthTest's cumulative pinned-memory bandwidth over ``devices`` GPUs, GB/s (None: not measured)."""

    devices: tuple[str, ...]  # "NVIDIA GeForce RTX 4090", by device index
    host_to_device: float | None
    device_to_host: float | None
    passed: bool  # it printed "Result = PASS"


@dataclass(frozen=True)
class AllReduce:
    """all_reduce_perf's table: the GPUs it ran on, the bus bandwidth of its largest message (GB/s, out-of-place),
    its average bus bandwidth and how many values were wrong."""

    devices: tuple[str, ...]
    largest_bytes: int
    bus_gb_per_s: float
    average_bus_gb_per_s: float | None
    wrong: int


@dataclass(frozen=True)
class PerfProbe:
    """A bandwidth probe's Job on one node and what its log said (``unreadable``: why it could not be read)."""

    job: WorkloadOutcome
    measured: Bandwidth | AllReduce | None = None
    unreadable: str | None = None
