"""The opt-in deep diagnostics: DCGM's diagnostic on each GPU node."""

from __future__ import annotations

from . import tutorial_sections as sections
from .model import Check

DIAG_DCGM = Check(
    "DIAG-DCGM", "diagnostics", "DCGM's diagnostic (dcgmi diag -r {dcgm_diag}) passes",
    "`dcgmi diag -r {dcgm_diag} -j`, run from {dcgm_image} in a pod holding every GPU of the node, reports no "
    "test failed on any GPU (Warn and Skip are reported, not failed)",
    "drain the node and follow DCGM's message for the failed test (dcgmlib/dcgm_errors.h's next steps: reset "
    "the GPU with `nvidia-smi -r -i UUID` or reboot, run `dcgmi diag -r 3` again, and have the board replaced "
    "when memory or PCIe tests keep failing)",
    severity="critical", tutorial=sections.DEPLOY,
    depends_on=("NODE-READY", "PRE-DRIVER", "PRE-RUNTIME-DEFAULT", "PLUGIN-POD-READY", "CAPACITY-ADVERTISED"),
    level="hardening",
    gpu_request="device-plugin",
    opt_in="dcgm-diag",
)
