"""PERF-BANDWIDTH and PERF-NCCL: the bandwidth probes reach a share (--perf-floor) of what the GPU model's data
sheet states (gpu_conformance/diagnostics/perf_table.py)."""

from __future__ import annotations

from typing import TypeVar

from gpu_conformance.checks import PERF_BANDWIDTH, PERF_NCCL, Check
from gpu_conformance.diagnostics.perf_table import Spec, spec_for
from gpu_conformance.facts.diagnostics import AllReduce, Bandwidth, PerfProbe
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.settings import Settings
from gpu_conformance.verdict import Verdict

T = TypeVar("T", Bandwidth, AllReduce)
BANDWIDTH_COMMAND = "bandwidthTest --device=all --htod --dtoh"
NCCL_COMMAND = "all_reduce_perf -b 64M -e 1G -f 2"
TABLE = "gpu_conformance/diagnostics/perf_table.py"


def _source(probe: PerfProbe, command: str) -> str:
    job = probe.job
    return f"`{command}` in pod {job.pod or f'of the {command.split()[0]} Job for {job.node}'} on node {job.node}"


def _measured(check: Check, probe: PerfProbe, kind: type[T], command: str) -> T | Verdict:
    """What the probe measured, or the verdict when there is nothing to judge; FactsUnavailable when it could not
    be read."""
    job = probe.job
    if job.result == "gpus_busy":
        return Verdict.skipped(check, f"other pods hold GPUs of node {job.node}, and the probe needs them all: "
                                      f"{job.detail}")
    if not isinstance(probe.measured, kind):
        why = probe.unreadable or f"the pod did not run to its end ({job.result}): {job.detail}"
        raise FactsUnavailable(f"{command} on node {job.node}: {why}")
    return probe.measured


def _spec(check: Check, devices: tuple[str, ...], found: str) -> Spec | Verdict:
    spec = spec_for(devices[0])
    if spec is None:
        return Verdict.skipped(check, f"no data sheet figure for {devices[0]} in the suite's table ({TABLE}): "
                                      f"{found} not judged")
    return spec


def _floor(settings: Settings) -> float:
    return float(settings.perf_floor)


def bandwidth_passes(probe: PerfProbe, settings: Settings) -> Verdict:
    measured = _measured(PERF_BANDWIDTH, probe, Bandwidth, BANDWIDTH_COMMAND)
    if isinstance(measured, Verdict):
        return measured
    gpus = len(measured.devices)
    directions = (("host to device", measured.host_to_device), ("device to host", measured.device_to_host))
    found = ", ".join(f"{name} {'none' if value is None else f'{value:g} GB/s'}" for name, value in directions) + \
        f" over {gpus} x {measured.devices[0]}"
    spec = _spec(PERF_BANDWIDTH, measured.devices, found)
    if isinstance(spec, Verdict):
        return spec
    need = _floor(settings) * spec.pcie_gb_per_s * gpus
    expected = (f">= {need:g} GB/s each way ({settings.perf_floor} of {gpus} x {spec.pcie_gb_per_s:g} GB/s, the "
                f"PCIe bandwidth per direction of the {spec.model}'s data sheet)")
    slow = [name for name, value in directions if value is None or value < need]
    source = _source(probe, BANDWIDTH_COMMAND)
    if slow or not measured.passed:
        said = "" if measured.passed else " (bandwidthTest did not print 'Result = PASS')"
        return Verdict.failed(PERF_BANDWIDTH, found + said, source, expected)
    return Verdict.passed(PERF_BANDWIDTH, f"{found} ({expected.removeprefix('>= ')})", source)


def all_reduce_passes(probe: PerfProbe | None, node: GpuNode, settings: Settings) -> Verdict:
    if probe is None:
        return Verdict.skipped(PERF_NCCL, f"node {node.name} has fewer than 2 GPUs (it advertises "
                                          f"{node.advertised_gpus}): no all_reduce between GPUs to measure")
    measured = _measured(PERF_NCCL, probe, AllReduce, NCCL_COMMAND)
    if isinstance(measured, Verdict):
        return measured
    gpus = len(measured.devices)
    average = f"; average {measured.average_bus_gb_per_s:g} GB/s" if measured.average_bus_gb_per_s is not None else ""
    found = (f"bus bandwidth {measured.bus_gb_per_s:g} GB/s at {measured.largest_bytes} bytes across {gpus} x "
             f"{measured.devices[0]}{average}")
    spec = _spec(PERF_NCCL, measured.devices, found)
    if isinstance(spec, Verdict):
        return spec
    need = _floor(settings) * spec.bus_gb_per_s
    expected = (f">= {need:g} GB/s ({settings.perf_floor} of {spec.bus_gb_per_s:g} GB/s, the {spec.bus_link} "
                f"bandwidth per direction of the {spec.model}'s data sheet) and no wrong value")
    source = _source(probe, NCCL_COMMAND)
    if measured.wrong:
        return Verdict.failed(PERF_NCCL, f"{measured.wrong} wrong values ({found})", source, expected)
    if measured.bus_gb_per_s < need:
        return Verdict.failed(PERF_NCCL, found, source, expected)
    return Verdict.passed(PERF_NCCL, f"{found} ({expected.removeprefix('>= ')})", source)
