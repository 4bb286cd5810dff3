"""HEALTH-FABRIC: on an NVSwitch system the Fabric Manager has initialised the NVLink fabric.

On HGX/DGX boards (A100, H100, H200, B200) the GPUs' NVLinks meet in NVSwitch chips that nv-fabricmanager configures;
until it has, and NVML reports each GPU's fabric state "Completed" with status "Success" (the states go Not Started ->
In Progress -> Completed), every CUDA program fails with error 802, cudaErrorSystemNotReady ("system not yet
initialized"), while NVML, nvidia-smi, the device plugin and the exporters work. Before Hopper NVML reports no
fabric state (NVML_ERROR_NOT_SUPPORTED): there the running daemon is all the probe can see. NVIDIA's Fabric Manager
User Guide describes the daemon; the states' names are nvidia-smi's (``nvidia-smi -q``, section "Fabric").
"""

from __future__ import annotations

from gpu_conformance.checks import HEALTH_FABRIC
from gpu_conformance.facts.cluster import ProbeOutcome
from gpu_conformance.facts.node import FabricHost, GpuFabric, Observed
from gpu_conformance.requirements.driver_facts import probe_driver
from gpu_conformance.requirements.wording import plural, probe_unavailable
from gpu_conformance.verdict import Verdict

NOT_SUPPORTED, COMPLETED, SUCCESS = "Not Supported", "Completed", "Success"
CUDA_NOT_READY = "system not yet initialized"  # cudaGetErrorString(cudaErrorSystemNotReady), CUDA error 802
_EXPECTED = (f"nv-fabricmanager running and every GPU's fabric state {COMPLETED}, status {SUCCESS} (until then CUDA "
             f"fails with error 802, \"{CUDA_NOT_READY}\")")
_WHAT = "the NVSwitch fabric"


def _manager(host: FabricHost) -> str:
    if host.manager_pids:
        return f"nv-fabricmanager running (pid {', '.join(map(str, host.manager_pids))})"
    if host.manager_binary:
        return f"no nv-fabricmanager process (installed at {host.manager_binary}, not running)"
    return "no nv-fabricmanager process, and none installed"


def _switches(host: FabricHost) -> str:
    if not host.nvswitches:
        return "no /dev/nvidia-nvswitch* (NVML places the GPUs on an NVLink fabric)"
    count = len(host.nvswitches)
    return f"{count} NVSwitch{'' if count == 1 else 'es'} ({', '.join(host.nvswitches)})"


def _states(gpus: list[GpuFabric], total: int) -> str:
    """``fabric state Not Started on all 8 GPUs``, or each state with the GPUs in it."""
    groups: dict[str, list[str]] = {}
    for gpu in gpus:
        shown = f"{gpu.state}, status {gpu.status}" if gpu.status else gpu.state
        groups.setdefault(shown, []).append(gpu.uuid)
    if len(groups) == 1 and len(gpus) == total:
        [state] = groups
        return f"fabric state {state} on all {plural(total, 'GPU')}"
    return "; ".join(f"fabric state {state} on {', '.join(uuids)}" for state, uuids in groups.items())


def _driver(outcome: ProbeOutcome) -> str:
    reading = probe_driver(outcome.probe)
    return f" {reading.value}" if reading is not None and reading.value else ""


def _fix(host: FabricHost, outcome: ProbeOutcome) -> str:
    """Install, start, or (running but not done) read why; the driver's version named, which the daemon must match."""
    driver = _driver(outcome)
    if host.manager_binary is None and not host.manager_pids:
        return (f"install the Fabric Manager of exactly the driver's version{driver} (package "
                "nvidia-fabricmanager-<driver branch>, or the GPU Operator's driver container, which runs it) and "
                "`systemctl enable --now nvidia-fabricmanager`; then `nvidia-smi -q | grep -A2 Fabric` shows "
                f"State {COMPLETED}, Status {SUCCESS}")
    if not host.manager_pids:
        return ("`systemctl enable --now nvidia-fabricmanager`; `journalctl -u nvidia-fabricmanager` and "
                f"/var/log/fabricmanager.log say why it stopped (its version must equal the driver's{driver})")
    return ("the fabric manager runs but has not completed the fabric: read /var/log/fabricmanager.log (or "
            f"`journalctl -u nvidia-fabricmanager`); a daemon of another version than the driver{driver} or a "
            "failed NVLink keeps it there; `systemctl restart nvidia-fabricmanager` after fixing it")


def _fabric_gpus(gpus: Observed[tuple[GpuFabric, ...]]) -> list[GpuFabric] | None:
    """The GPUs NVML places on a fabric; None when NVML's fabric state could not be read."""
    if not gpus.ok or gpus.value is None:
        return None
    return [g for g in gpus.value if g.state != NOT_SUPPORTED]


def fabric_initialised(outcome: ProbeOutcome) -> Verdict:
    """Skipped without NVSwitch; passed with the daemon running and every fabric GPU Completed/Success."""
    probe = outcome.probe
    if probe is None:
        raise probe_unavailable(HEALTH_FABRIC, outcome, _WHAT)
    read = probe.fabric_host
    if not read.ok or read.value is None:
        raise probe_unavailable(HEALTH_FABRIC, outcome, _WHAT, f"{read.error} at {read.source}")
    host, gpus = read.value, probe.fabric_gpus
    on_fabric = _fabric_gpus(gpus)
    if not host.nvswitches and not on_fabric:
        unread = f" (its fabric state could not be read: {gpus.error})" if on_fabric is None else ""
        return Verdict.skipped(HEALTH_FABRIC, f"node {outcome.node} has no NVSwitch: no /dev/nvidia-nvswitch* at "
                                              f"{read.source}, and NVML places none of its GPUs on an NVLink "
                                              f"fabric{unread}: it needs no fabric manager")
    if on_fabric is None and host.manager_pids:
        raise probe_unavailable(HEALTH_FABRIC, outcome, "the GPUs' fabric state", f"{gpus.error} at {gpus.source}")
    waiting = [g for g in on_fabric or () if g.state != COMPLETED or g.status != SUCCESS]
    total = len(gpus.value or ())
    source = f"{read.source}; {gpus.source}"
    if host.manager_pids and not waiting:
        states = (f"fabric state {COMPLETED}, status {SUCCESS} on {plural(len(on_fabric or ()), 'GPU')}"
                  if on_fabric else "no fabric state from NVML (GPUs before Hopper)")
        return Verdict.passed(HEALTH_FABRIC, f"{_switches(host)}, {_manager(host)}; {states}", source)
    states = f"; {_states(waiting, total)}" if waiting else ""
    return Verdict.failed(HEALTH_FABRIC, f"{_switches(host)}, {_manager(host)}{states}", source, _EXPECTED,
                          _fix(host, outcome))
