"""What a GPU node's exporter answered, as read (scraped by gpu_conformance.monitoring.exporters)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ExporterFormat = Literal["nvidia_gpu_exporter", "dcgm-exporter", "unknown"]


_QUOTED_LINE_CHARS = 160


_SHOWN_NAMES = 5


class MetricsParseError(ValueError):
    """The body is not Prometheus text: the first line the parser refuses, and its reason."""

    def __init__(self, line_number: int, line: str, reason: str) -> None:
        shown = line if len(line) <= _QUOTED_LINE_CHARS else line[:_QUOTED_LINE_CHARS] + "..."
        super().__init__(f'line {line_number} "{shown}": {reason}')
        self.line_number = line_number
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class ExporterMetrics:
    """What one scrape's body says, read without judging it."""

    format: ExporterFormat
    samples: int
    gpu_uuids: tuple[str, ...]  # distinct, in the order first seen, as the exporter writes them
    uuid_label: str | None  # "uuid" (nvidia_gpu_exporter) or "UUID" (dcgm-exporter)
    gpu_series: str | None  # where the GPUs were counted, e.g. "nvidia_smi_gpu_info{uuid}"
    driver_versions: tuple[str, ...]  # distinct values of the driver label
    driver_label: str | None  # where the driver was read, e.g. "nvidia_smi_gpu_info{driver_version}"
    smi_exit_code: float | None  # nvidia_gpu_exporter's nvidia_smi_command_exit_code
    smi_failed_scrapes: float | None  # nvidia_gpu_exporter's nvidia_smi_failed_scrapes_total
    metric_names: tuple[str, ...]  # distinct sample names, in order (for "what was there instead")
    # each GPU's last Xid as the exporter serves it (UUID as written, Xid; 0: none), and the series it was read from,
    # e.g. "DCGM_FI_DEV_XID_ERRORS{UUID}"; None where the exporter serves no Xid series
    xids: tuple[tuple[str, int], ...] = ()
    xid_series: str | None = None
    exporter_version: str | None = None  # nvidia_gpu_exporter_build_info{version}, e.g. "1.2.0"

    @property
    def smi_failing(self) -> bool:
        """nvidia_gpu_exporter's own word that nvidia-smi failed on its last run."""
        return bool(self.smi_exit_code) or bool(self.smi_failed_scrapes)

    def names_shown(self) -> str:
        names = self.metric_names
        more = f", ... ({len(names)} in all)" if len(names) > _SHOWN_NAMES else ""
        return ", ".join(names[:_SHOWN_NAMES]) + more


@dataclass(frozen=True)
class ExporterFacts:
    """One node's exporter as scraped. ``metrics`` is set only for a complete 200 that parsed."""

    node: str
    url: str | None  # None: nothing to scrape (see missing / unavailable)
    source: str  # where the address came from
    timeout_s: float
    missing: str | None = None  # no exporter where one was looked for (no pod on the node)
    unavailable: str | None = None  # the suite could not tell where to scrape
    status: int | None = None
    reason: str = ""  # HTTP reason phrase
    content_type: str = ""
    location: str | None = None  # a redirect's target, not followed
    transport_error: str | None = None  # no complete answer: refused, no answer within the timeout, too large
    body_bytes: int = 0
    parse_error: MetricsParseError | None = None
    metrics: ExporterMetrics | None = None
    excerpt: str = ""  # the body's first lines, for a report attachment
    elapsed_s: float = 0.0

    @property
    def answered(self) -> bool:
        """A 200 whose body parsed: the other exporter checks have something to read."""
        return self.metrics is not None
