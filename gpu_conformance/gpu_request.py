"""How a pod asks for a GPU: the one place the suite builds that request.

Today through the device plugin's extended resources (``resources.limits``); Dynamic Resource
Allocation (a ResourceClaim against NVIDIA's ``gpu.nvidia.com`` DeviceClass) will be a second form
chosen here, so that workloads and checks never spell a GPU request themselves.
"""

from __future__ import annotations

from gpu_conformance.facts.gpu_nodes import MIG_PREFIX, SHARED_GPU, WHOLE_GPU, GpuNode


def gpu_resource_for(node: GpuNode) -> str:
    """The extended resource a one-GPU pod on ``node`` should ask for."""
    if node.allocatable.get(WHOLE_GPU) or not any(
            k.startswith(MIG_PREFIX) or k == SHARED_GPU for k in node.allocatable):
        return WHOLE_GPU
    migs = sorted(k for k, v in node.allocatable.items() if k.startswith(MIG_PREFIX) and v > 0)
    return migs[0] if migs else SHARED_GPU


def gpu_limits(node: GpuNode, count: int = 1) -> dict[str, str]:
    """``resources.limits`` for a container that needs ``count`` GPUs on ``node``."""
    return {gpu_resource_for(node): str(count)}


VISIBLE_DEVICES = "NVIDIA_VISIBLE_DEVICES"


def visible_devices_env(value: str) -> list[dict[str, str]]:
    """``env`` setting NVIDIA_VISIBLE_DEVICES, which the pod spec's own env sets over the image's."""
    return [{"name": VISIBLE_DEVICES, "value": value}]


def no_gpu_env() -> list[dict[str, str]]:
    """``env`` for the suite's pods that need no GPU: the project's image says NVIDIA_VISIBLE_DEVICES=all, as every
    CUDA image does; ``void`` makes the NVIDIA runtime treat the container as runc would (no GPU injected, and no
    hook to fail on a broken driver), however the node is wired."""
    return visible_devices_env("void")


def gpu_tolerations(extra: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """The tutorial's toleration for GPU taints, plus the user's ``--tolerate-taint`` taints.

    ``extra`` entries are ``key``, ``key:Effect``, ``key=value`` or ``key=value:Effect``.
    """
    tolerations = [{"key": WHOLE_GPU, "operator": "Exists", "effect": "NoSchedule"}]
    for spec in extra:
        key_value, _, effect = spec.partition(":")
        key, has_value, value = key_value.partition("=")
        toleration = {"key": key, "operator": "Equal" if has_value else "Exists"}
        if has_value:
            toleration["value"] = value
        if effect:
            toleration["effect"] = effect
        tolerations.append(toleration)
    return tolerations
