"""The isolation checks: a pod sees only the GPUs it asked for."""

from __future__ import annotations

from . import tutorial_sections as sections
from .model import Check

# Beyond the tutorial: CNCF AI Conformance's secure_accelerator_access, which the tutorial's own wiring breaks (the
# nvidia runtime as the default, the plugin's envvar strategy, the toolkit accepting NVIDIA_VISIBLE_DEVICES from
# unprivileged containers: any CUDA image then gets every GPU without asking).
ISOLATION_FIX = (
    "on the node set `accept-nvidia-visible-devices-envvar-when-unprivileged = false` and "
    "`accept-nvidia-visible-devices-as-volume-mounts = true` in /etc/nvidia-container-runtime/config.toml and run the "
    "device plugin with `DEVICE_LIST_STRATEGY=volume-mounts` (Helm: `--set deviceListStrategy=volume-mounts`); or move "
    "to CDI (GPU Operator >= v25.10, or the plugin's cdi-cri strategy with the runtime's CDI enabled)"
)
SEC_NO_REQUEST_NO_GPU = Check(
    "SEC-NO-REQUEST-NO-GPU", "isolation", "a pod that asks for no GPU sees none",
    "an unprivileged pod of a CUDA image (NVIDIA_VISIBLE_DEVICES=all in the image, as the project's own image) that "
    "requests no GPU sees no /dev/nvidiaN device file and no GPU in NVML",
    ISOLATION_FIX, severity="critical", tutorial=sections.SECURE_ACCESS,
    depends_on=("NODE-READY",),  # seen from a pod on the node
    level="hardening",
)
SEC_ENV_NO_GPU = Check(
    "SEC-ENV-NO-GPU", "isolation", "NVIDIA_VISIBLE_DEVICES=all in a pod spec gets no GPU",
    "an unprivileged pod that requests no GPU but sets env NVIDIA_VISIBLE_DEVICES=all in its own spec sees no "
    "/dev/nvidiaN device file and no GPU in NVML: a pod's environment is no GPU request",
    ISOLATION_FIX, severity="critical", tutorial=sections.SECURE_ACCESS,
    depends_on=("NODE-READY",),
    level="hardening",
)
SEC_CONTAINER_ISOLATION = Check(
    "SEC-CONTAINER-ISOLATION", "isolation", "a container without a GPU request sees none of its pod's GPU",
    "in an unprivileged pod holding 1 GPU, a second container that requests none (NVIDIA_VISIBLE_DEVICES empty, as "
    "in a non-CUDA image) sees no GPU device file and no GPU in NVML, while the holder sees exactly one",
    ISOLATION_FIX, severity="critical", tutorial=sections.SECURE_ACCESS,
    depends_on=("NODE-READY", "CAPACITY-ADVERTISED", "CDI-SPEC"),  # the holder needs a GPU it can be given
    level="hardening",
    gpu_request="device-plugin",
)
SEC_POD_ISOLATION = Check(
    "SEC-POD-ISOLATION", "isolation", "two pods holding a GPU each see different GPUs",
    "on a node with 2 or more allocatable GPUs, two unprivileged pods holding 1 GPU each at the same time see exactly "
    "one GPU each, with different UUIDs",
    ISOLATION_FIX + "; GPU sharing (time-slicing, MPS) gives pods the same GPU by design: keep pods that must not "
    "share on nodes without it",
    severity="critical", tutorial=sections.SECURE_ACCESS,
    depends_on=("NODE-READY", "CAPACITY-ADVERTISED", "CDI-SPEC"),
    level="hardening",
    gpu_request="device-plugin",
)
