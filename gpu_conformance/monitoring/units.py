"""The physical range of a GPU metric, from its exporter's naming of units.

nvidia_gpu_exporter (``nvidia_smi_*``) scales percentages to ``_ratio`` 0..1 and MiB to ``_bytes``;
dcgm-exporter (``DCGM_FI_DEV_*``) keeps percent 0..100 (``*_UTIL``) and MiB (``FB_*``). Temperatures
are °C either way. A metric this table does not know has no range: alerts reading it are not judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

LARGE_BOARD_BYTES = 80 * 1024**3  # an 80 GiB board (A100/H100 80GB) when the node's memory is unknown
LARGE_BOARD_MIB = 81920
MAX_WATTS = 700.0  # an H100 SXM's board power limit
MAX_CELSIUS = 110.0  # above any GPU's shutdown temperature
Role = Literal["driven", "capacity", "complement"]


@dataclass(frozen=True)
class MetricRange:
    metric: str
    low: float
    high: float
    unit: str  # "ratio", "percent", "°C", "bytes", "MiB", "W", "0/1"
    role: Role = "driven"  # capacity: held at high (a total); complement: falls as the driven ones rise

    def value_at(self, fraction: float) -> float:
        """The metric's value when the driven metrics stand at ``fraction`` (0..1) of their range."""
        if self.role == "capacity":
            return self.high
        share = 1 - fraction if self.role == "complement" else fraction
        return self.low + (self.high - self.low) * share

    def describe(self) -> str:
        return f"{self.metric} {_number(self.low)}..{_number(self.high)} ({self.unit})"


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.4g}"


_RULES: tuple[tuple[str, float, float | None, str], ...] = (
    # (pattern, low, high (None: the board's memory), unit); the first match wins
    (r"^up$", 0, 1, "0/1"),
    (r"_ratio$", 0, 1, "ratio"),
    (r"^DCGM_FI_DEV_.*_UTIL$", 0, 100, "percent"),
    (r"temperature|_TEMP$", 0, MAX_CELSIUS, "°C"),
    (r"_bytes$", 0, None, "bytes"),
    (r"^DCGM_FI_DEV_FB_(USED|FREE|TOTAL|RESERVED)$", 0, LARGE_BOARD_MIB, "MiB"),
    (r"_watts$|^DCGM_FI_DEV_POWER_USAGE$", 0, MAX_WATTS, "W"),
)
_CAPACITY = re.compile(r"total|_TOTAL$|_limit_watts$|_LIMIT$")
_COMPLEMENT = re.compile(r"free|_FREE$")


def metric_range(metric: str, memory_bytes: int | None = None) -> MetricRange | None:
    """The range ``metric`` can take on a GPU with ``memory_bytes`` of memory (80 GiB when None)."""
    for pattern, low, high, unit in _RULES:
        if re.search(pattern, metric):
            top = float(memory_bytes or LARGE_BOARD_BYTES) if high is None else high
            role: Role = "capacity" if _CAPACITY.search(metric) else (
                "complement" if _COMPLEMENT.search(metric) else "driven")
            return MetricRange(metric, float(low), top, unit, role)
    return None
