"""``nvcr.io/nvidia/k8s/cuda-sample:vectoradd-*``: the CUDA vector addition sample."""

from __future__ import annotations

from ..cuda import image_cuda, runs_on
from .base import ContainerContext, Outcome, Script

PASSED = (
    "[Vector addition of 50000 elements]\n"
    "Copy input data from the host memory to the CUDA device\n"
    "CUDA kernel launch with 196 blocks of 256 threads\n"
    "Copy output data from the CUDA device to the host memory\n"
    "Test PASSED\n"
    "Done\n"
)
_INSUFFICIENT = "CUDA driver version is insufficient for CUDA runtime version"
_NO_DEVICE = "no CUDA-capable device is detected"
# cudaErrorSystemNotReady (802): on an NVSwitch system whose fabric the Fabric Manager has not completed
_NOT_READY = "system not yet initialized"


def matches(image: str) -> bool:
    return image.startswith("nvcr.io/nvidia/k8s/cuda-sample:vectoradd")


def image_env(image: str) -> dict[str, str]:
    """As every CUDA base image (nvidia/cuda Dockerfiles): all GPUs unless told otherwise."""
    return {"NVIDIA_VISIBLE_DEVICES": "all", "NVIDIA_DRIVER_CAPABILITIES": "compute,utility"}


def _failure(code: str) -> Script:
    return Script(steps=((0.3, f"Failed to allocate device vector A (error code {code})!\n"),), exit_code=1)


def run(ctx: ContainerContext) -> Outcome:
    image = str(ctx.container.get("image", ""))
    if not ctx.driver_injected or ctx.node is None or ctx.node.host is None:
        return _failure(_INSUFFICIENT)
    driver = ctx.node.host.driver_version or "0"
    if not runs_on(image_cuda(image) or (10, 2), driver):
        return _failure(_INSUFFICIENT)
    if not ctx.visible_gpus:
        return _failure(_NO_DEVICE)
    fabric = ctx.node.host.fabric
    if fabric is not None and not fabric.cuda_ready:
        return _failure(_NOT_READY)
    return Script(steps=((1.0, PASSED),), exit_code=0)
