"""A node's ``hardware:`` section: faults of the GPUs themselves (memory, PCIe link)."""

from __future__ import annotations

from gpusim.hardware import PCIE_GENERATIONS, PCIE_WIDTHS, GpuHardware, PcieLink
from gpusim.model import Gpu
from gpusim.scenario_sharing import parse_unhealthy
from gpusim.scenario_yaml import Value

HARDWARE_FIELDS = ("memoryFaultGpus", "pcieLink")
LINK_FIELDS = ("generation", "width")


def parse_hardware(value: Value | None, gpus: tuple[Gpu, ...]) -> GpuHardware:
    if value is None or value.is_null:
        return GpuHardware()
    if not gpus:
        raise value.error("hardware needs GPUs; this node has no gpus")
    fields = value.mapping(HARDWARE_FIELDS)
    none: tuple[int, ...] = ()
    faults = fields.read("memoryFaultGpus", lambda v: parse_unhealthy(v, gpus), none)
    link = fields.read("pcieLink", _link, None)
    return GpuHardware(memory_faults=faults, pcie_link=link)


def _link(value: Value) -> PcieLink:
    fields = value.mapping(LINK_FIELDS)
    generation = fields.require("generation").integer(minimum=1, maximum=max(PCIE_GENERATIONS))
    width_value = fields.require("width")
    width = width_value.integer(minimum=1, maximum=max(PCIE_WIDTHS))
    if width not in PCIE_WIDTHS:
        raise width_value.error(f"expected a PCIe link width ({', '.join(map(str, PCIE_WIDTHS))}), got {width}")
    return PcieLink(generation, width)
