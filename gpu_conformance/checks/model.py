"""A check as data: its id, area, level, the requirement and its fix, and how pods must ask for GPUs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from ..settings import Settings

Area = Literal["prerequisites", "device-plugin", "capacity", "health", "dra", "workload", "isolation",
               "monitoring", "alert-rules", "diagnostics"]
Severity = Literal["blocker", "critical", "normal", "minor"]
Level = Literal["tutorial", "hardening"]  # the tutorial's chain, or beyond it
LEVELS: tuple[Level, ...] = get_args(Level)
GpuRequest = Literal["device-plugin", "dra"]  # how pods ask for GPUs: extended resources, or ResourceClaims
GPU_REQUESTS: tuple[GpuRequest, ...] = get_args(GpuRequest)


@dataclass(frozen=True)
class Check:
    id: str  # stable, e.g. "PRE-DRIVER"
    area: Area
    title_template: str  # one line, e.g. "NVIDIA driver >= {min_driver}"
    requirement_template: str  # what must hold, in the tutorial's terms
    remediation: str  # the tutorial's step that fixes it
    severity: Severity = "blocker"
    tutorial: str = ""  # the tutorial's section, e.g. "2.1 先决条件"
    depends_on: tuple[str, ...] = ()  # ids of the checks this one cannot pass without
    level: Level = field(kw_only=True)  # no default: each entry says whether the tutorial's chain needs it
    # the way of requesting GPUs the check proves, when it proves one: its test is deselected on a cluster that
    # hands GPUs out the other way (--gpu-request); "any" checks hold either way
    gpu_request: GpuRequest | Literal["any"] = field(default="any", kw_only=True)
    # the option that turns the check on ("dcgm-diag"): deep diagnostics take minutes and hold every GPU, so
    # they run only when asked for; "" for the checks that always run
    opt_in: str = field(default="", kw_only=True)
    # the option naming what the check reads when the suite cannot find it itself (a prometheus.yml, a live
    # Prometheus or Grafana): without it the check is skipped, saying so, as one item however many nodes it covers
    reads_option: str = field(default="", kw_only=True)

    def title_for(self, settings: Settings) -> str:
        """The title with the run's thresholds, e.g. "NVIDIA driver >= 535.0" under --min-driver 535.0."""
        return self.title_template.format_map(vars(settings))

    def requirement_for(self, settings: Settings) -> str:
        """What must hold, with the run's thresholds."""
        return self.requirement_template.format_map(vars(settings))
