"""Deterministic live GPU telemetry: smooth functions of wall-clock time with a per-GPU phase.

The same GPU at the same instant always reads the same, so tests can reason about values, yet
they move between scrapes as a busy GPU's do. Every value stays in its physical range: ratios in
0..100 %, temperature 30..85 °C, memory used within the board's memory, power under the limit.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from gpusim.exporters.boards import Board
from gpusim.model import Gpu

_LOAD_PERIOD_S = 240.0
_MEMORY_PERIOD_S = 900.0
_TEMP_MIN_C = 30
_TEMP_MAX_C = 85


@dataclass(frozen=True)
class Reading:
    utilization_gpu: int  # percent
    utilization_memory: int  # percent of time memory was read or written
    memory_total_mib: int
    memory_used_mib: int
    temperature_c: int
    memory_temperature_c: int
    power_w: float
    fan_percent: int
    graphics_mhz: int
    memory_mhz: int
    video_mhz: int
    pstate: int  # 0 busy .. 8 idle
    energy_mj: int  # since the node booted
    pcie_tx_kb: int
    pcie_rx_kb: int

    @property
    def memory_free_mib(self) -> int:
        return self.memory_total_mib - self.memory_used_mib

    @property
    def idle(self) -> bool:
        return self.pstate == 8


def phase(uuid: str) -> float:
    """A stable phase in [0, 2π) per GPU, so GPUs on one node do not move in lockstep."""
    digest = hashlib.sha256(uuid.encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 * 2 * math.pi


def _wave(t: float, period: float, shift: float) -> float:
    """0..1, smooth."""
    return 0.5 + 0.5 * math.sin(2 * math.pi * t / period + shift)


def read(gpu: Gpu, board: Board, t: float, booted_at: float) -> Reading:
    shift = phase(gpu.uuid)
    # Busy half the time, idle (exactly 0 %) for part of each cycle, as a batch GPU is.
    load = max(0.0, _wave(t, _LOAD_PERIOD_S, shift) * 1.15 - 0.15)
    util = min(100, round(100 * load))
    busy = util > 0
    util_mem = min(100, round(util * (0.35 + 0.3 * _wave(t, 37.0, shift))))
    fill = 0.02 + 0.9 * _wave(t, _MEMORY_PERIOD_S, shift * 2)
    used = min(gpu.memory_mib, max(1, int(gpu.memory_mib * fill)))
    temp = _TEMP_MIN_C + 4 + round(44 * load + 3 * _wave(t, 61.0, shift))
    power_span = board.power_limit_w * 0.95 - board.idle_power_w
    power = round(board.idle_power_w + power_span * load + 1.5 * _wave(t, 13.0, shift), 2)
    clock_span = board.max_graphics_mhz - board.idle_graphics_mhz
    graphics = board.idle_graphics_mhz + round(clock_span * min(1.0, load * 1.4))
    uptime = max(0.0, t - booted_at)
    average_power = (board.idle_power_w + board.power_limit_w) / 3
    return Reading(
        utilization_gpu=util,
        utilization_memory=util_mem,
        memory_total_mib=gpu.memory_mib,
        memory_used_mib=used,
        temperature_c=max(_TEMP_MIN_C, min(_TEMP_MAX_C, temp)),
        memory_temperature_c=max(_TEMP_MIN_C, min(_TEMP_MAX_C, temp + 4)),
        power_w=min(power, board.power_limit_w),
        fan_percent=30 + round(60 * load),
        graphics_mhz=graphics,
        memory_mhz=board.max_memory_mhz if busy else board.idle_memory_mhz,
        video_mhz=round(graphics * 0.9),
        pstate=0 if busy else 8,
        energy_mj=int(average_power * uptime * 1000),
        pcie_tx_kb=int(uptime * 850 * (1 + shift)),
        pcie_rx_kb=int(uptime * 2300 * (1 + shift)),
    )
