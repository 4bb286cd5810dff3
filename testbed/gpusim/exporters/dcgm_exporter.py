"""NVIDIA dcgm-exporter (3.3 series, ``etc/default-counters.csv``) as a scraper sees it.

Its own Go template renders each enabled counter with ``# HELP``/``# TYPE`` and one series per GPU
labelled ``gpu, UUID, pci_bus_id, device, modelName, Hostname`` and then the label-typed counters
(``DCGM_FI_DRIVER_VERSION``). Values are DCGM's: int64 fields as ``%d``, doubles as ``%f``; blank
fields (a GDDR board's memory temperature, profiling on GeForce) are left out. Values refresh every
collect interval (30 s), not per scrape. Routes: ``/`` landing page, ``/health``, ``/metrics``; any
other path is gorilla/mux's 404.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from gpusim.exporters import faults
from gpusim.exporters.boards import Board, board_for
from gpusim.exporters.http11 import Request, Response
from gpusim.exporters.telemetry import Reading, read
from gpusim.model import Gpu, NodeSpec

COLLECT_INTERVAL_S = 30.0
LANDING_PAGE = """<html>
\t\t\t<head><title>GPU Exporter</title></head>
\t\t\t<body>
\t\t\t<h1>GPU Exporter</h1>
\t\t\t<p><a href="./metrics">Metrics</a></p>
\t\t\t</body>
\t\t\t</html>"""
_NOSNIFF = ("X-Content-Type-Options", "nosniff")
_TEXT = ("Content-Type", "text/plain; charset=utf-8")
_HTML = ("Content-Type", "text/html; charset=utf-8")


@dataclass(frozen=True)
class _Sample:
    board: Board
    reading: Reading
    last_xid: int  # the last Xid DCGM saw on the GPU; 0: none


def _int(value: int) -> str:
    return str(value)


def _double(value: float) -> str:
    return f"{value:f}"


def _hbm_only(render: Callable[[_Sample], str]) -> Callable[[_Sample], str | None]:
    return lambda s: render(s) if s.board.hbm else None


def _profiling(render: Callable[[_Sample], str]) -> Callable[[_Sample], str | None]:
    """DCP fields: datacenter boards only; GeForce boards cannot be profiled."""
    return lambda s: render(s) if s.board.datacenter else None


def _remapping(render: Callable[[_Sample], str]) -> Callable[[_Sample], str | None]:
    """Row remapping exists from Ampere's HBM boards on; older boards leave the field blank."""
    return lambda s: render(s) if s.board.mig_capable else None


def _load(s: _Sample) -> float:
    return s.reading.utilization_gpu / 100


# (field, Prometheus type, help, value or None when DCGM leaves it blank), in the CSV's order.
COUNTERS: tuple[tuple[str, str, str, Callable[[_Sample], str | None]], ...] = (
    ("DCGM_FI_DEV_SM_CLOCK", "gauge", "SM clock frequency (in MHz).", lambda s: _int(s.reading.graphics_mhz)),
    ("DCGM_FI_DEV_MEM_CLOCK", "gauge", "Memory clock frequency (in MHz).",
     lambda s: _int(s.reading.memory_mhz)),
    ("DCGM_FI_DEV_MEMORY_TEMP", "gauge", "Memory temperature (in C).",
     _hbm_only(lambda s: _int(s.reading.memory_temperature_c))),
    ("DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (in C).", lambda s: _int(s.reading.temperature_c)),
    ("DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (in W).", lambda s: _double(s.reading.power_w)),
    ("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "counter", "Total energy consumption since boot (in mJ).",
     lambda s: _int(s.reading.energy_mj)),
    ("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "counter", "Total number of PCIe retries.", lambda s: "0"),
    ("DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %).", lambda s: _int(s.reading.utilization_gpu)),
    ("DCGM_FI_DEV_MEM_COPY_UTIL", "gauge", "Memory utilization (in %).",
     lambda s: _int(s.reading.utilization_memory)),
    ("DCGM_FI_DEV_ENC_UTIL", "gauge", "Encoder utilization (in %).", lambda s: "0"),
    ("DCGM_FI_DEV_DEC_UTIL", "gauge", "Decoder utilization (in %).", lambda s: "0"),
    ("DCGM_FI_DEV_XID_ERRORS", "gauge", "Value of the last XID error encountered.", lambda s: _int(s.last_xid)),
    ("DCGM_FI_DEV_FB_FREE", "gauge", "Framebuffer memory free (in MiB).",
     lambda s: _int(s.reading.memory_free_mib)),
    ("DCGM_FI_DEV_FB_USED", "gauge", "Framebuffer memory used (in MiB).",
     lambda s: _int(s.reading.memory_used_mib)),
    ("DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", "counter",
     "Total number of NVLink bandwidth counters for all lanes", lambda s: "0"),
    ("DCGM_FI_DEV_VGPU_LICENSE_STATUS", "gauge", "vGPU License status", lambda s: "0"),
    ("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "counter", "Number of remapped rows for uncorrectable errors",
     _remapping(lambda s: "0")),
    ("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", "counter", "Number of remapped rows for correctable errors",
     _remapping(lambda s: "0")),
    ("DCGM_FI_DEV_ROW_REMAP_FAILURE", "gauge", "Whether remapping of rows has failed",
     _remapping(lambda s: "0")),
    ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", "gauge", "Ratio of time the graphics engine is active (in %).",
     _profiling(lambda s: _double(_load(s)))),
    ("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "gauge", "Ratio of cycles the tensor (HMMA) pipe is active (in %).",
     _profiling(lambda s: _double(_load(s) * 0.42))),
    ("DCGM_FI_PROF_DRAM_ACTIVE", "gauge",
     "Ratio of cycles the device memory interface is active sending or receiving data (in %).",
     _profiling(lambda s: _double(s.reading.utilization_memory / 100))),
    ("DCGM_FI_PROF_PCIE_TX_BYTES", "gauge", "The rate of data transmitted over the PCIe bus - including both "
     "protocol headers and data payloads - in bytes per second.",
     _profiling(lambda s: _int(int(_load(s) * 2e8)))),
    ("DCGM_FI_PROF_PCIE_RX_BYTES", "gauge", "The rate of data received over the PCIe bus - including both "
     "protocol headers and data payloads - in bytes per second.",
     _profiling(lambda s: _int(int(_load(s) * 6e8)))),
)


class DcgmExporter:
    def __init__(self, node: NodeSpec, started_at: float) -> None:
        self.node = node
        self.booted_at = started_at - 86400.0

    def _labels(self, gpu: Gpu) -> str:
        assert self.node.host is not None and self.node.host.driver_version is not None
        return ",".join((
            f'gpu="{gpu.index}"', f'UUID="{gpu.uuid}"', f'pci_bus_id="{gpu.pci_bus_id}"',
            f'device="nvidia{gpu.index}"', f'modelName="{gpu.name}"', f'Hostname="{self.node.name}"',
            f'DCGM_FI_DRIVER_VERSION="{self.node.host.driver_version}"'))

    def _last_xid(self, gpu: Gpu) -> int:
        """The Xid that made a GPU unhealthy is the last one DCGM saw on it."""
        return self.node.unhealthy_xid if gpu.index in self.node.unhealthy_gpus else 0

    def metrics_text(self, now: float) -> str:
        if not faults.driver_reachable(self.node):
            return ""  # DCGM hands back blank values for every field: nothing to render
        collected_at = now - now % COLLECT_INTERVAL_S
        boards = [(g, board_for(g.name)) for g in faults.visible_gpus(self.node)]
        gpus = [(self._labels(g), _Sample(b, read(g, b, collected_at, self.booted_at), self._last_xid(g)))
                for g, b in boards]
        parts: list[str] = []
        for name, kind, help_text, value_of in COUNTERS:
            lines = [f"{name}{{{labels}}} {value}" for labels, sample in gpus
                     if (value := value_of(sample)) is not None]
            if lines:
                parts.append(f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n" + "\n".join(lines) + "\n")
        text = "".join(parts)
        if self.node.exporter.health == "malformed":
            return faults.truncate_in_series(text, "DCGM_FI_DEV_FB_USED")
        return text

    def handle(self, request: Request) -> Response:
        path = request.path
        if path == "/metrics":
            body = self.metrics_text(time.time()).encode()
            return Response(200, body, (_NOSNIFF, _TEXT) if body else (_NOSNIFF,))
        if path == "/health":
            healthy = bool(self.metrics_text(time.time()))
            return Response(200 if healthy else 503, b"OK" if healthy else b"KO", (_NOSNIFF, _TEXT))
        if path == "/":
            return Response(200, LANDING_PAGE.encode(), (_NOSNIFF, _HTML))
        return Response(404, b"404 page not found\n", (_NOSNIFF, _TEXT))
