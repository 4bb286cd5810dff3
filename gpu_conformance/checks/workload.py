"""The workload checks: the tutorial's CUDA vectoradd pod as proof."""

from __future__ import annotations

from . import tutorial_sections as sections
from .model import Check

WORKLOAD_VECTORADD = Check(
    "WORKLOAD-VECTORADD", "workload", "vectoradd pod gets a GPU and passes",
    "a pod limited to 1 nvidia.com/gpu runs the CUDA vectoradd sample on the node and logs \"Test PASSED\"",
    "`kubectl describe pod` and `kubectl logs` of the vectoradd pod; fix the first failing check of the node "
    "(PRE-*, PLUGIN-*, CAPACITY-*)",
    tutorial=sections.DEPLOY,
    depends_on=("NODE-READY", "PRE-DRIVER", "PRE-RUNTIME-DEFAULT", "CDI-SPEC", "PLUGIN-POD-READY",
                "CAPACITY-ADVERTISED", "HEALTH-FABRIC"),
    level="tutorial",
    gpu_request="device-plugin",
)
WORKLOAD_DRIVER_FITS_IMAGE = Check(
    "WORKLOAD-DRIVER-FITS-IMAGE", "workload", "driver new enough for the vectoradd image's CUDA",
    "the node's driver is at least the minimum driver of the CUDA version the vectoradd image was built for "
    "(no vectoradd image runs on the tutorial's 384.81)",
    "upgrade the NVIDIA driver, or pass --vectoradd-image with a tag built for an older CUDA "
    "(nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cudaX.Y)",
    severity="minor", tutorial=sections.DEPLOY,
    depends_on=("PRE-DRIVER",),
    level="tutorial",
)

