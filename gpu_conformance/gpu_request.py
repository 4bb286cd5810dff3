"""How a pod asks for a GPU: the one place the suite builds that request.

Through the device plugin's extended resources (``resources.limits``), or through Dynamic Resource
Allocation: a ResourceClaimTemplate asking one device of NVIDIA's ``gpu.nvidia.com`` DeviceClass, the pod's
``resourceClaims`` naming it and the container's ``resources.claims``. Workloads and checks never spell a GPU
request themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gpu_conformance.facts.dra import DRA_GROUP, GPU_CLASS, MIG_CLASS, DraDevice
from gpu_conformance.facts.gpu_nodes import MIG_PREFIX, SHARED_GPU, WHOLE_GPU, GpuNode

CLAIM = "gpu"  # the name of the pod's claim, and of the one request in it
CLASS_KIND = {GPU_CLASS: "gpu", MIG_CLASS: "mig"}  # NVIDIA's DeviceClasses and the ``type`` of the devices they select


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


def claim_template_spec(version: str, device_class: str = GPU_CLASS) -> dict[str, Any]:
    """A ResourceClaimTemplate's ``spec.spec`` asking one device of ``device_class``, in ``version``'s shape:
    v1 and v1beta2 put the class under ``exactly``, v1beta1 directly in the request (FACTS.md, DRA)."""
    request: dict[str, Any] = {"name": CLAIM}
    if version == "v1beta1":
        request.update(deviceClassName=device_class, allocationMode="ExactCount", count=1)
    else:
        request["exactly"] = {"deviceClassName": device_class, "allocationMode": "ExactCount", "count": 1}
    return {"devices": {"requests": [request]}}


def device_class_for(devices: Iterable[DraDevice]) -> str:
    """The DeviceClass a one-GPU claim on a node asks for: whole GPUs where the node publishes any, else its MIG
    devices (a GPU in MIG mode is published as its MIG devices only), as ``gpu_resource_for`` picks a MIG resource."""
    kinds = {d.kind for d in devices}
    return MIG_CLASS if CLASS_KIND[GPU_CLASS] not in kinds and CLASS_KIND[MIG_CLASS] in kinds else GPU_CLASS


def claim_template(version: str, name: str, namespace: str, labels: dict[str, str],
                   device_class: str = GPU_CLASS) -> dict[str, Any]:
    """A ResourceClaimTemplate of one device of ``device_class``; its claims carry ``labels`` too, so the run's
    cleanup finds them."""
    return {
        "apiVersion": f"{DRA_GROUP}/{version}", "kind": "ResourceClaimTemplate",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"metadata": {"labels": labels}, "spec": claim_template_spec(version, device_class)},
    }


def pod_claims(template: str) -> list[dict[str, str]]:
    """A pod's ``resourceClaims``: one claim named ``gpu`` made from ``template``."""
    return [{"name": CLAIM, "resourceClaimTemplateName": template}]


def container_claims() -> dict[str, Any]:
    """A container's ``resources`` using the pod's claim ``gpu``."""
    return {"claims": [{"name": CLAIM}]}
