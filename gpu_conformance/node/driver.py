"""The driver version as the kernel module and nvidia-smi show it (NVML is in nvml.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gpu_conformance.facts.node import GpuInfo, Observed
from gpu_conformance.node.hostfs import HostRoot, excerpt
from gpu_conformance.node.versions import DriverGpuLine, driver_from_proc, driver_version, nvidia_smi_gpus

PROC_VERSION = "/proc/driver/nvidia/version"
SYS_VERSION = "/sys/module/nvidia/version"
NVIDIA_SMI = "/usr/bin/nvidia-smi"
SMI_QUERY = ("--query-gpu=index,uuid,name,driver_version,memory.total", "--format=csv,noheader,nounits")
MIB = 1024 * 1024


def read_file_fact(host: HostRoot, host_path: str, parse: Callable[[str], str]) -> Observed[str]:
    shown = host.shown(host_path)
    text, error = host.read(host_path)
    if text is None:
        return Observed.missing(shown, error or "unreadable")
    try:
        return Observed(parse(text), shown, excerpt=excerpt(text.strip()))
    except ValueError as exc:
        return Observed.missing(shown, str(exc), excerpt(text.strip()))


def proc_driver(host: HostRoot) -> Observed[str]:
    return read_file_fact(host, PROC_VERSION, driver_from_proc)


def sys_driver(host: HostRoot) -> Observed[str]:
    return read_file_fact(host, SYS_VERSION, driver_version)


@dataclass(frozen=True)
class SmiFacts:
    driver: Observed[str]
    gpus: Observed[tuple[GpuInfo, ...]]


def nvidia_smi(host: HostRoot) -> SmiFacts:
    """One ``nvidia-smi --query-gpu`` run gives both the driver version and the GPU list."""
    result = host.run(NVIDIA_SMI, *SMI_QUERY)
    raw = excerpt(result.stdout.strip()) if result.stdout else None
    if result.error is not None or result.stdout is None:
        return _both_missing(result.shown, result.error or "no output", raw)
    try:
        lines = nvidia_smi_gpus(result.stdout)
    except ValueError as exc:
        return _both_missing(result.shown, str(exc), raw)
    return SmiFacts(_one_driver(lines, result.shown, raw), Observed(_gpus(lines), result.shown, excerpt=raw))


def _both_missing(shown: str, error: str, raw: str | None) -> SmiFacts:
    return SmiFacts(Observed.missing(shown, error, raw), Observed.missing(shown, error, raw))


def _one_driver(lines: tuple[DriverGpuLine, ...], shown: str, raw: str | None) -> Observed[str]:
    versions = sorted({line.driver_version for line in lines})
    if len(versions) > 1:
        return Observed.missing(shown, f"GPUs report different driver versions: {', '.join(versions)}", raw)
    return Observed(versions[0], shown, excerpt=raw)


def _gpus(lines: tuple[DriverGpuLine, ...]) -> tuple[GpuInfo, ...]:
    return tuple(GpuInfo(line.index, line.name, line.uuid, line.memory_mib * MIB) for line in lines)
