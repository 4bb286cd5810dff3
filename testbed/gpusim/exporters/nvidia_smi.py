"""What ``nvidia-smi --query-gpu=<AUTO fields> --format=csv`` prints for one GPU.

nvidia_gpu_exporter (``--query-field-names=AUTO``) asks for every field of ``--help-query-gpu`` and
turns each CSV column into a metric named after the column header, so the header text and the raw
cell strings (``45 %``, ``24564 MiB``, ``35.12 W``, ``[N/A]``, ``0x268410DE``) decide the metrics.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from gpusim.exporters.boards import Board
from gpusim.exporters.telemetry import Reading
from gpusim.hardware import PcieLink
from gpusim.model import Gpu

NOT_AVAILABLE = "[N/A]"

# Exit status of nvidia-smi when it cannot talk to the driver ("NVIDIA-SMI has failed because it
# couldn't communicate with the NVIDIA driver").
EXIT_DRIVER_UNREACHABLE = 9

_ECC_LOCATIONS = ("device_memory", "dram", "register_file", "l1_cache", "l2_cache", "texture_memory", "cbu",
                  "sram", "total")
_ECC_UNREPORTED = ("texture_memory", "cbu")  # N/A on Ampere and later boards
_THROTTLE_REASONS = ("gpu_idle", "applications_clocks_setting", "sw_power_cap", "hw_slowdown",
                     "hw_thermal_slowdown", "hw_power_brake_slowdown", "sw_thermal_slowdown", "sync_boost")


@dataclass(frozen=True)
class GpuContext:
    """Everything one row depends on besides the query field."""

    gpu: Gpu
    board: Board
    reading: Reading
    driver_version: str
    visible_gpus: int  # what ``count`` reports: the GPUs the driver can see
    now: float
    link: PcieLink  # the PCIe link the GPU trained at
    link_max: PcieLink  # the best link the GPU and its slot allow


Cell = Callable[[GpuContext], str]


def _mib(value: int) -> str:
    return f"{value} MiB"


def _mhz(value: int) -> str:
    return f"{value} MHz"


def _watts(value: float) -> str:
    return f"{value:.2f} W"


def _percent(value: int) -> str:
    return f"{value} %"


def _enabled(flag: bool) -> str:
    return "Enabled" if flag else "Disabled"


def _active(flag: bool) -> str:
    return "Active" if flag else "Not Active"


def _pci_parts(bus_id: str) -> tuple[int, int, int]:
    """``00000000:01:00.0`` -> (domain, bus, device)."""
    domain, bus, device_function = bus_id.split(":")
    return int(domain, 16), int(bus, 16), int(device_function.split(".")[0], 16)


def _serial(ctx: GpuContext) -> str:
    if not ctx.board.datacenter:
        return NOT_AVAILABLE
    digest = int(hashlib.sha256(ctx.gpu.uuid.encode()).hexdigest()[:12], 16)
    return str(1320000000000 + digest % 10**9)


def _dc(ctx: GpuContext, value: str) -> str:
    """A value only datacenter boards report."""
    return value if ctx.board.datacenter else NOT_AVAILABLE


def _dc_constant(value: str) -> Cell:
    return lambda c: _dc(c, value)


def _mig_mode(ctx: GpuContext) -> str:
    return _enabled(bool(ctx.gpu.mig_devices)) if ctx.board.mig_capable else NOT_AVAILABLE


def _utilization(ctx: GpuContext, value: int) -> str:
    # With MIG enabled the GPU as a whole reports no utilization.
    return NOT_AVAILABLE if ctx.gpu.mig_devices else _percent(value)


def _timestamp(ctx: GpuContext) -> str:
    return time.strftime("%Y/%m/%d %H:%M:%S.", time.localtime(ctx.now)) + f"{int(ctx.now * 1000) % 1000:03d}"


def _throttle_fields() -> Iterator[tuple[str, str, Cell]]:
    for reason in _THROTTLE_REASONS:
        if reason == "gpu_idle":
            yield f"clocks_throttle_reasons.{reason}", "", lambda c: _active(c.reading.idle)
        else:
            yield f"clocks_throttle_reasons.{reason}", "", lambda c: _active(False)


def _ecc_fields() -> Iterator[tuple[str, str, Cell]]:
    for kind in ("corrected", "uncorrected"):
        for scope in ("volatile", "aggregate"):
            for location in _ECC_LOCATIONS:
                value = NOT_AVAILABLE if location in _ECC_UNREPORTED else "0"
                yield f"ecc.errors.{kind}.{scope}.{location}", "", _dc_constant(value)


# (query field, unit of its CSV header, cell) in the order ``--help-query-gpu`` lists the fields.
FIELDS: tuple[tuple[str, str, Cell], ...] = (
    ("timestamp", "", _timestamp),
    ("driver_version", "", lambda c: c.driver_version),
    ("count", "", lambda c: str(c.visible_gpus)),
    ("name", "", lambda c: c.gpu.name),
    ("serial", "", _serial),
    ("uuid", "", lambda c: c.gpu.uuid),
    ("pci.bus_id", "", lambda c: c.gpu.pci_bus_id),
    ("pci.domain", "", lambda c: f"0x{_pci_parts(c.gpu.pci_bus_id)[0]:04X}"),
    ("pci.bus", "", lambda c: f"0x{_pci_parts(c.gpu.pci_bus_id)[1]:02X}"),
    ("pci.device", "", lambda c: f"0x{_pci_parts(c.gpu.pci_bus_id)[2]:02X}"),
    ("pci.device_id", "", lambda c: f"0x{c.board.pci_device_id:04X}10DE"),
    ("pci.sub_device_id", "", lambda c: f"0x{(c.board.pci_device_id * 7) & 0xFFFF:04X}10DE"),
    # an idle GPU drops its link to Gen1 to save power; under load it runs at the generation it trained at
    ("pcie.link.gen.current", "", lambda c: "1" if c.reading.idle else str(c.link.generation)),
    ("pcie.link.gen.max", "", lambda c: str(c.link_max.generation)),
    ("pcie.link.width.current", "", lambda c: str(c.link.width)),
    ("pcie.link.width.max", "", lambda c: str(c.link_max.width)),
    ("index", "", lambda c: str(c.gpu.index)),
    ("display_mode", "", lambda c: "Disabled"),
    ("display_active", "", lambda c: "Disabled"),
    ("persistence_mode", "", lambda c: "Enabled"),
    ("accounting.mode", "", lambda c: "Disabled"),
    ("accounting.buffer_size", "", lambda c: "4000"),
    ("driver_model.current", "", lambda c: NOT_AVAILABLE),  # Windows only
    ("driver_model.pending", "", lambda c: NOT_AVAILABLE),
    ("vbios_version", "", lambda c: c.board.vbios),
    ("inforom.img", "", lambda c: "G001.0000.03.03" if c.board.datacenter else "G002.0000.00.03"),
    ("inforom.oem", "", lambda c: "2.1"),
    ("inforom.ecc", "", _dc_constant("6.16")),
    ("inforom.pwr", "", lambda c: NOT_AVAILABLE),
    ("gom.current", "", lambda c: NOT_AVAILABLE),
    ("gom.pending", "", lambda c: NOT_AVAILABLE),
    ("fan.speed", "%", lambda c: NOT_AVAILABLE if c.board.passive else _percent(c.reading.fan_percent)),
    ("pstate", "", lambda c: f"P{c.reading.pstate}"),
    ("clocks_throttle_reasons.supported", "", lambda c: "0x00000000000001FF"),
    ("clocks_throttle_reasons.active", "", lambda c: f"0x{int(c.reading.idle):016X}"),
    *_throttle_fields(),
    ("memory.total", "MiB", lambda c: _mib(c.reading.memory_total_mib)),
    ("memory.used", "MiB", lambda c: _mib(c.reading.memory_used_mib)),
    ("memory.free", "MiB", lambda c: _mib(c.reading.memory_free_mib)),
    ("compute_mode", "", lambda c: "Default"),
    ("utilization.gpu", "%", lambda c: _utilization(c, c.reading.utilization_gpu)),
    ("utilization.memory", "%", lambda c: _utilization(c, c.reading.utilization_memory)),
    ("encoder.stats.sessionCount", "", lambda c: "0"),
    ("encoder.stats.averageFps", "", lambda c: "0"),
    ("encoder.stats.averageLatency", "", lambda c: "0"),
    ("ecc.mode.current", "", _dc_constant("Enabled")),
    ("ecc.mode.pending", "", _dc_constant("Enabled")),
    *_ecc_fields(),
    ("retired_pages.single_bit_ecc.count", "", _dc_constant("0")),
    ("retired_pages.double_bit.count", "", _dc_constant("0")),
    ("retired_pages.pending", "", _dc_constant("No")),
    ("temperature.gpu", "", lambda c: str(c.reading.temperature_c)),
    ("temperature.memory", "", lambda c: str(c.reading.memory_temperature_c) if c.board.hbm else "N/A"),
    ("power.management", "", lambda c: "Enabled"),
    ("power.draw", "W", lambda c: _watts(c.reading.power_w)),
    ("power.limit", "W", lambda c: _watts(c.board.power_limit_w)),
    ("enforced.power.limit", "W", lambda c: _watts(c.board.power_limit_w)),
    ("power.default_limit", "W", lambda c: _watts(c.board.power_limit_w)),
    ("power.min_limit", "W", lambda c: _watts(c.board.power_min_w)),
    ("power.max_limit", "W", lambda c: _watts(c.board.power_max_w)),
    ("clocks.current.graphics", "MHz", lambda c: _mhz(c.reading.graphics_mhz)),
    ("clocks.current.sm", "MHz", lambda c: _mhz(c.reading.graphics_mhz)),
    ("clocks.current.memory", "MHz", lambda c: _mhz(c.reading.memory_mhz)),
    ("clocks.current.video", "MHz", lambda c: _mhz(c.reading.video_mhz)),
    ("clocks.applications.graphics", "MHz", lambda c: _dc(c, _mhz(c.board.max_graphics_mhz))),
    ("clocks.applications.memory", "MHz", lambda c: _dc(c, _mhz(c.board.max_memory_mhz))),
    ("clocks.default_applications.graphics", "MHz", lambda c: _dc(c, _mhz(c.board.max_graphics_mhz))),
    ("clocks.default_applications.memory", "MHz", lambda c: _dc(c, _mhz(c.board.max_memory_mhz))),
    ("clocks.max.graphics", "MHz", lambda c: _mhz(c.board.max_graphics_mhz)),
    ("clocks.max.sm", "MHz", lambda c: _mhz(c.board.max_graphics_mhz)),
    ("clocks.max.memory", "MHz", lambda c: _mhz(c.board.max_memory_mhz)),
    ("mig.mode.current", "", _mig_mode),
    ("mig.mode.pending", "", _mig_mode),
)


QUERY_FIELDS = frozenset(field for field, _, _ in FIELDS)


def query_gpu(ctx: GpuContext) -> list[tuple[str, str, str]]:
    """One CSV row as (query field, header, raw cell) triples; a header names its unit: ``power.draw [W]``."""
    return [(field, f"{field} [{unit}]" if unit else field, cell(ctx)) for field, unit, cell in FIELDS]
