"""Reading a GPU exporter's body: Prometheus text, which exporter wrote it, and what it says about the GPUs.

nvidia_gpu_exporter labels every per-GPU series ``uuid`` (lower-cased, ``GPU-`` cut off), reports the
driver as ``nvidia_smi_gpu_info{driver_version}``, and when nvidia-smi fails sends no GPU series at all:
only ``nvidia_smi_failed_scrapes_total`` and a non-zero ``nvidia_smi_command_exit_code``.
dcgm-exporter labels them ``UUID`` (``GPU-...`` as NVML writes it) and carries the driver as the label
``DCGM_FI_DRIVER_VERSION``; its ``DCGM_FI_DEV_XID_ERRORS`` gauge is each GPU's last Xid (0: none since DCGM
started).

The body is read by textparse.py, which names the first line prometheus_client's parser refuses.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.samples import Sample

from gpu_conformance.facts.exporters import ExporterFormat, ExporterMetrics, MetricsParseError
from gpu_conformance.monitoring.exporters.textparse import BadLine, samples_of

NVIDIA_PREFIX = "nvidia_smi_"
NVIDIA_BUILD_INFO = "nvidia_gpu_exporter_build_info"
DCGM_PREFIX = "DCGM_FI_"
SMI_EXIT_CODE = "nvidia_smi_command_exit_code"
SMI_FAILED_SCRAPES = "nvidia_smi_failed_scrapes_total"
NVIDIA_DRIVER_LABEL = "driver_version"
DCGM_DRIVER_LABEL = "DCGM_FI_DRIVER_VERSION"
_UUID_LABEL: dict[ExporterFormat, str] = {"nvidia_gpu_exporter": "uuid", "dcgm-exporter": "UUID"}
_DRIVER_LABEL: dict[ExporterFormat, str] = {"nvidia_gpu_exporter": NVIDIA_DRIVER_LABEL,
                                            "dcgm-exporter": DCGM_DRIVER_LABEL}
_PREFIX: dict[ExporterFormat, str] = {"nvidia_gpu_exporter": NVIDIA_PREFIX, "dcgm-exporter": DCGM_PREFIX}
DCGM_XID = "DCGM_FI_DEV_XID_ERRORS"
NVIDIA_GPU_INFO = "nvidia_smi_gpu_info"  # the series named when counting nvidia_gpu_exporter's GPUs


def gpu_key(uuid: str) -> str:
    """A GPU UUID in one form whatever wrote it: ``GPU-868D62CF-...`` and ``868d62cf-...`` are one GPU."""
    return uuid.strip().lower().removeprefix("gpu-")


def _format(names: Iterable[str]) -> ExporterFormat:
    listed = list(names)
    if any(name.startswith(DCGM_PREFIX) for name in listed):
        return "dcgm-exporter"
    if any(name.startswith(NVIDIA_PREFIX) or name == NVIDIA_BUILD_INFO for name in listed):
        return "nvidia_gpu_exporter"
    return "unknown"


def _value(samples: list[Sample], name: str) -> float | None:
    return next((float(s.value) for s in samples if s.name == name), None)


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def parse_metrics(text: str) -> ExporterMetrics:
    """The body read as Prometheus text; ``MetricsParseError`` quoting the offending line otherwise."""
    try:
        samples = samples_of(text)
    except BadLine as exc:
        raise MetricsParseError(exc.number, exc.line, exc.reason) from None
    names = _distinct(s.name for s in samples)
    kind = _format(names)
    uuid_label, driver_label = _UUID_LABEL.get(kind), _DRIVER_LABEL.get(kind)
    gpu_samples = sorted(_labelled(samples, _PREFIX.get(kind, ""), uuid_label),
                         key=lambda s: s.name != NVIDIA_GPU_INFO)  # stable: gpu_info first where present
    driver_samples = _labelled(samples, "", driver_label)
    xid_samples = [s for s in _labelled(samples, DCGM_XID, uuid_label) if s.name == DCGM_XID]
    return ExporterMetrics(
        format=kind,
        samples=len(samples),
        gpu_uuids=_distinct(s.labels[uuid_label] for s in gpu_samples if uuid_label),
        uuid_label=uuid_label,
        gpu_series=_series(gpu_samples, uuid_label),
        driver_versions=_distinct(s.labels[driver_label] for s in driver_samples if driver_label),
        driver_label=_series(driver_samples, driver_label),
        smi_exit_code=_value(samples, SMI_EXIT_CODE),
        smi_failed_scrapes=_value(samples, SMI_FAILED_SCRAPES),
        metric_names=names,
        xids=tuple((s.labels[uuid_label], int(s.value)) for s in xid_samples if uuid_label),
        xid_series=_series(xid_samples, uuid_label),
        exporter_version=next((s.labels.get("version") for s in samples if s.name == NVIDIA_BUILD_INFO), None),
    )


def _labelled(samples: list[Sample], prefix: str, label: str | None) -> list[Sample]:
    """The samples named ``prefix...`` that carry ``label`` with a value."""
    return [s for s in samples if label and s.name.startswith(prefix) and s.labels.get(label)]


def _series(samples: list[Sample], label: str | None) -> str | None:
    """Where a label was read, e.g. ``nvidia_smi_gpu_info{driver_version}``."""
    return f"{samples[0].name}{{{label}}}" if samples and label else None
