"""The opt-in deep diagnostics: DCGM's diagnostic and the bandwidth probes on each GPU node."""

from __future__ import annotations

from . import tutorial_sections as sections
from .model import Check

# Each runs in a pod holding every GPU the node advertises through the device plugin.
_HOLDS_EVERY_GPU = ("NODE-READY", "PRE-DRIVER", "PRE-RUNTIME-DEFAULT", "PLUGIN-POD-READY", "CAPACITY-ADVERTISED")

DIAG_DCGM = Check(
    "DIAG-DCGM", "diagnostics", "DCGM's diagnostic (dcgmi diag -r {dcgm_diag}) passes",
    "`dcgmi diag -r {dcgm_diag} -j`, run from {dcgm_image} in a pod holding every GPU of the node, reports no "
    "test failed on any GPU (Warn and Skip are reported, not failed)",
    "drain the node and follow DCGM's message for the failed test (dcgmlib/dcgm_errors.h's next steps: reset "
    "the GPU with `nvidia-smi -r -i UUID` or reboot, run `dcgmi diag -r 3` again, and have the board replaced "
    "when memory or PCIe tests keep failing)",
    severity="critical", tutorial=sections.DEPLOY,
    depends_on=_HOLDS_EVERY_GPU, level="hardening", gpu_request="device-plugin",
    opt_in="dcgm-diag",
)
PERF_BANDWIDTH = Check(
    "PERF-BANDWIDTH", "diagnostics", "host<->GPU bandwidth >= {perf_floor} of the data sheet's PCIe",
    "CUDA samples' `bandwidthTest --device=all --htod --dtoh`, run from --perf-image in a pod holding every GPU of "
    "the node, measures pinned host-to-device and device-to-host bandwidth of at least {perf_floor} of the PCIe "
    "bandwidth the GPU model's data sheet states (one direction, summed over the GPUs); a model the suite has no "
    "data sheet figure for is skipped, saying so",
    "check the GPUs' PCIe link (`nvidia-smi -q -d PCIE`: link generation and width, current against max; `lspci "
    "-vv` LnkSta): reseat the board or riser, set the slot's generation in the BIOS, move the GPU to a x16 slot",
    severity="normal", tutorial=sections.DEPLOY,
    depends_on=_HOLDS_EVERY_GPU, level="hardening", gpu_request="device-plugin",
    opt_in="perf",
)
PERF_NCCL = Check(
    "PERF-NCCL", "diagnostics", "NCCL all_reduce bus bandwidth >= {perf_floor} of the data sheet's GPU link",
    "on a node with 2 or more GPUs, nccl-tests' `all_reduce_perf -b 64M -e 1G -f 2 -g <GPUs>`, run from --perf-image "
    "in a pod holding every GPU, reaches a bus bandwidth (its largest message, out-of-place) of at least "
    "{perf_floor} of what the GPU model's data sheet states for the link between its GPUs (NVLink where the board "
    "has it, else PCIe; one direction), with no wrong value; skipped on nodes with one GPU",
    "check NVLink (`nvidia-smi nvlink --status`, `nvidia-smi topo -m`) and on NVSwitch systems the Fabric Manager; "
    "on PCIe check each GPU's link (`nvidia-smi -q -d PCIE`) and the ACS/IOMMU settings that force peer traffic "
    "through the CPU; rerun with NCCL_DEBUG=INFO to see the transport NCCL chose",
    severity="normal", tutorial=sections.DEPLOY,
    depends_on=_HOLDS_EVERY_GPU, level="hardening", gpu_request="device-plugin",
    opt_in="perf",
)
