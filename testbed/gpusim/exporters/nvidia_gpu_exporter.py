"""utkuozdemir/nvidia_gpu_exporter v1.2.0 as a scraper sees it (``internal/exporter/exporter.go``).

Per scrape the real exporter runs nvidia-smi with every AUTO query field and turns each CSV cell
into a gauge named ``nvidia_smi_`` + snake_case(header), HELP = the header, one label ``uuid``
(lower-cased, ``GPU-`` stripped); cells it cannot parse as one number are skipped. It always sends
``nvidia_smi_command_exit_code``; only when nvidia-smi fails does it send
``nvidia_smi_failed_scrapes_total`` (and then no GPU series at all). Served by ``promhttp.Handler()``
beside the Go/process collectors and the version collector. Every path but ``/metrics`` gets the
landing page, because the exporter registers its root handler on ``/``.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import re
import time

from gpusim.exporters import faults
from gpusim.exporters.boards import board_for
from gpusim.exporters.go_runtime import GO_VERSION, ProcessState, runtime_families
from gpusim.exporters.http11 import Request, Response
from gpusim.exporters.nvidia_smi import EXIT_DRIVER_UNREACHABLE, GpuContext, query_gpu
from gpusim.exporters.telemetry import read
from gpusim.exporters.textformat import Family, Sample, counter, gauge, render_gathered
from gpusim.hardware import board as hardware_board
from gpusim.model import NodeSpec

VERSION = "1.2.0"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LANDING_PAGE = """<html lang="en">
<head><title>Nvidia GPU Exporter</title></head>
<body>
<h1>Nvidia GPU Exporter</h1>
<p><a href="/metrics">Metrics</a></p>
</body>
</html>
"""
# gpu_info's labels and the query fields they come from, in the exporter's order.
_INFO = (("uuid", "uuid"), ("name", "name"), ("driver_model_current", "driver_model.current"),
         ("driver_model_pending", "driver_model.pending"), ("vbios_version", "vbios_version"),
         ("driver_version", "driver_version"))
_INFO_LABELS = tuple(label for label, _ in _INFO)
_INFO_HELP = f"A metric with a constant '1' value labeled by gpu {', '.join(_INFO_LABELS)}."
_BUILD_INFO_HELP = ("A metric with a constant '1' value labeled by version, revision, branch, and goversion "
                    "from which nvidia_gpu_exporter was built.")
# Not the real release commit: a stable stand-in for the revision label the release build stamps in.
_REVISION = hashlib.sha1(f"nvidia_gpu_exporter v{VERSION}".encode()).hexdigest()
_NUMERIC = re.compile(r"[+-]?(?:\d*[.])?\d+")
_FIRST_CAP = re.compile(r"(.)([A-Z][a-z]+)")
_ALL_CAP = re.compile(r"([a-z0-9])([A-Z])")
_UNIT_SUFFIXES = ((" [W]", "_watts", 1.0), (" [MHz]", "_clock_hz", 1e6), (" [MiB]", "_bytes", 1048576.0),
                  (" [%]", "_ratio", 0.01))
_WORDS = {"enabled": 1.0, "yes": 1.0, "active": 1.0, "disabled": 0.0, "no": 0.0, "not active": 0.0,
          "default": 0.0, "exclusive_thread": 1.0, "prohibited": 2.0, "exclusive_process": 3.0}


@functools.cache
def metric_name(header: str) -> tuple[str, float]:
    """``buildFQNameAndMultiplier``: the metric name for a CSV header and the factor for its values."""
    transformed, multiplier = header, 1.0
    for suffix, replacement, factor in _UNIT_SUFFIXES:
        if header.endswith(suffix):
            transformed, multiplier = header.split(" ")[0] + replacement, factor
            break
    snake = _FIRST_CAP.sub(r"\1_\2", transformed.replace(".", "_"))
    return "nvidia_smi_" + _ALL_CAP.sub(r"\1_\2", snake).lower(), multiplier


def transform_raw_value(raw: str, multiplier: float) -> float | None:
    """``transformRawValue``: a cell as a number, or None where the exporter skips it."""
    trimmed = raw.strip()
    if trimmed.startswith("0x"):
        return float(int(trimmed[2:], 16))
    value = trimmed.lower()
    if value in _WORDS:
        return _WORDS[value]
    numbers = _NUMERIC.findall(value)[:2]
    if len(numbers) != 1:
        return None
    return float(numbers[0]) * multiplier


class NvidiaGpuExporter:
    """One node's exporter process: its counters live as long as the pool runs."""

    def __init__(self, node: NodeSpec, started_at: float) -> None:
        self.node = node
        self.process = ProcessState.starting(started_at)
        self.booted_at = started_at - 86400.0
        self.failed_scrapes = 0

    def _queried(self, row: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
        """The cells of the fields it queries: ``--query-field-names`` and the fields gpu_info needs, or all (AUTO)."""
        listed = self.node.exporter.query_field_names
        if listed is None:
            return row
        wanted = {*listed, *(field for _, field in _INFO)}
        return [cell for cell in row if cell[0] in wanted]

    def _gpu_families(self, now: float) -> list[Family]:
        assert self.node.host is not None and self.node.host.driver_version is not None
        gpus = faults.visible_gpus(self.node)
        series: dict[str, tuple[str, list[Sample]]] = {}  # metric name -> (header, samples)
        info: list[Sample] = []
        for gpu in gpus:
            board = board_for(gpu.name)
            ctx = GpuContext(gpu, board, read(gpu, board, now, self.booted_at), self.node.host.driver_version,
                             len(gpus), now, self.node.hardware.link(gpu.name), hardware_board(gpu.name).pcie)
            row = self._queried(query_gpu(ctx))
            cells = {field: raw for field, _, raw in row}
            uuid = cells["uuid"].lower().removeprefix("gpu-")
            info_labels = tuple((label, uuid if label == "uuid" else cells[field]) for label, field in _INFO)
            info.append(Sample(info_labels, 1.0))
            for _, header, raw in row:
                name, multiplier = metric_name(header)
                value = transform_raw_value(raw, multiplier)
                if value is None:
                    continue
                series.setdefault(name, (header, []))[1].append(Sample((("uuid", uuid),), value))
        families = [Family(name, header, "gauge", samples) for name, (header, samples) in series.items()]
        return [*families, Family("nvidia_smi_gpu_info", _INFO_HELP, "gauge", info)]

    def metrics_text(self, now: float) -> str:
        families = runtime_families(self.process, now)
        families.append(gauge("nvidia_gpu_exporter_build_info", _BUILD_INFO_HELP, 1, (
            ("branch", "HEAD"), ("goversion", GO_VERSION), ("revision", _REVISION), ("version", VERSION))))
        exit_code_help = "Exit code of the last scrape command"
        if faults.driver_reachable(self.node):
            families.append(gauge("nvidia_smi_command_exit_code", exit_code_help, 0))
            families.extend(self._gpu_families(now))
        else:
            # Collect sends the counter and then increments it; the registry reads it after the increment.
            self.failed_scrapes += 1
            families.append(gauge("nvidia_smi_command_exit_code", exit_code_help, EXIT_DRIVER_UNREACHABLE))
            families.append(counter("nvidia_smi_failed_scrapes_total", "Number of failed scrapes",
                                    self.failed_scrapes))
        text = render_gathered(families)
        if self.node.exporter.health == "malformed":
            return faults.truncate_in_series(text, "nvidia_smi_memory_used_bytes")
        return text

    def handle(self, request: Request) -> Response:
        if request.path != "/metrics":
            return Response(200, LANDING_PAGE.encode(), (("Content-Type", "text/html; charset=utf-8"),))
        body = self.metrics_text(time.time()).encode()
        headers: tuple[tuple[str, str], ...] = (("Content-Type", CONTENT_TYPE),)
        if any(part.strip().startswith("gzip") for part in request.header("accept-encoding").split(",")):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            headers = (*headers, ("Content-Encoding", "gzip"))
        self.process.count_request(200)
        return Response(200, body, headers)
