"""Which driver version a node has, from the best source available: the probe's readings, else GFD labels.

The probe reads the driver four ways; NVML is preferred (it is what CUDA and the device plugin use),
then the kernel module's /proc and /sys files, then nvidia-smi. GPU Feature Discovery labels are the
API's view, written by GFD when it last ran: a fallback, and a cross-check that may be stale.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.node import NodeProbe, Observed
from gpu_conformance.requirements.wording import node_field

GFD_FULL = "nvidia.com/cuda.driver-version.full"
# (labels of major, minor, revision), current then deprecated names.
GFD_PARTS = (
    ("nvidia.com/cuda.driver-version.major", "nvidia.com/cuda.driver-version.minor",
     "nvidia.com/cuda.driver-version.revision"),
    ("nvidia.com/cuda.driver.major", "nvidia.com/cuda.driver.minor", "nvidia.com/cuda.driver.rev"),
)
# What NVML says when no driver is there: the module is not loaded, or its library is not installed.
_NVML_NO_DRIVER = ("Driver Not Loaded", "NVML Shared Library Not Found")
_NO_FILE = "no such file"


@dataclass(frozen=True)
class DriverLabel:
    version: str
    labels: str  # the labels it was read from, as "key=value" joined by ", "
    source: str


def probe_driver(probe: NodeProbe | None) -> Observed[str] | None:
    """The preferred driver reading that succeeded, or None."""
    if probe is None:
        return None
    readings = (probe.driver_nvml, probe.driver_proc, probe.driver_sys, probe.driver_smi)
    return next((r for r in readings if r.ok), None)


def missing_driver(probe: NodeProbe) -> str | None:
    """NVML's words when the host has no driver (not merely a driver the probe failed to read), else None."""
    nvml_error = probe.driver_nvml.error or ""
    said = next((s for s in _NVML_NO_DRIVER if s in nvml_error), None)
    return said if probe.driver_proc.error == _NO_FILE else None


def reading_errors(probe: NodeProbe) -> str:
    readings = (probe.driver_nvml, probe.driver_proc, probe.driver_sys, probe.driver_smi)
    return "; ".join(f"{r.source}: {r.error}" for r in readings if not r.ok)


def gfd_driver(node: GpuNode) -> DriverLabel | None:
    """The driver version GPU Feature Discovery labelled the node with, if it did."""
    source = node_field(node.name, "metadata.labels")
    full = node.labels.get(GFD_FULL)
    if full:
        return DriverLabel(full, f"{GFD_FULL}={full}", source)
    for keys in GFD_PARTS:
        values = [node.labels.get(key, "") for key in keys]
        if values[0] and values[1]:
            shown = ", ".join(f"{k}={v}" for k, v in zip(keys, values, strict=True) if v)
            return DriverLabel(".".join(v for v in values if v), shown, source)
    return None


def known_driver(probe: NodeProbe | None, node: GpuNode) -> tuple[str, str] | None:
    """(version, where it was read) from the probe, else from the GFD label; None when neither has it."""
    reading = probe_driver(probe)
    if reading is not None and reading.value is not None:
        return reading.value, reading.source
    label = gfd_driver(node)
    return (label.version, f"GPU Feature Discovery label {label.labels} on {label.source}") if label else None
