"""Secure accelerator access: no container sees a GPU it did not ask for, and GPU holders see only their own.

Each judge reads what the node's isolation pods printed (``gpu-conformance sees``) against what each container
asked for. A container is counted as seeing a GPU when a ``/dev/nvidiaN`` device file or an NVML GPU is there:
either is a way to reach it. A container that could not run is "could not inspect", never a pass.
"""

from __future__ import annotations

from gpu_conformance.checks import (
    SEC_CONTAINER_ISOLATION,
    SEC_ENV_NO_GPU,
    SEC_NO_REQUEST_NO_GPU,
    SEC_POD_ISOLATION,
    Check,
)
from gpu_conformance.facts.container_view import ContainerView
from gpu_conformance.facts.gpu_nodes import MIG_PREFIX, GpuNode
from gpu_conformance.facts.isolation import Look, NodeIsolation
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.gpu_request import gpu_resource_for
from gpu_conformance.requirements.capacity import GFD_REPLICAS, GFD_SHARING, sharing
from gpu_conformance.requirements.wording import plural
from gpu_conformance.verdict import Verdict

NONE_EXPECTED = "no /dev/nvidiaN device file and no GPU in NVML in a container that requests no GPU"


def view_of(check: Check, look: Look) -> ContainerView:
    """What the container saw; "could not inspect", naming why, when it gave nothing to judge."""
    if look.view is None:
        raise FactsUnavailable(f"[{check.id}] could not inspect {look.source}: {look.problem or 'no output'}")
    return look.view


def seen(view: ContainerView) -> str:
    """What a container saw, in one line: device files, NVML's GPUs, NVIDIA_VISIBLE_DEVICES."""
    files = ", ".join(view.device_files) if view.device_files else f"no GPU device file in {view.dev_dir}"
    if view.gpus:
        nvml = f"{plural(len(view.gpus), 'GPU')} in NVML ({', '.join(g.uuid for g in view.gpus)})"
    else:
        nvml = f"no GPU in NVML ({view.nvml_error})" if view.nvml_error else "no GPU in NVML"
    env = "unset" if view.visible_devices is None else f'"{view.visible_devices}"'
    return f"{files}; {nvml}; NVIDIA_VISIBLE_DEVICES {env}"


def held_gpus(view: ContainerView) -> tuple[str, ...]:
    """The GPUs a container holds, by UUID where NVML answered, else by device file (the host's minor numbers)."""
    return tuple(g.uuid for g in view.gpus) if view.nvml_error is None else view.device_files


def _sees_none(check: Check, look: Look) -> Verdict:
    view = view_of(check, look)
    if view.sees_any:
        return Verdict.failed(check, seen(view), look.source, NONE_EXPECTED)
    return Verdict.passed(check, seen(view), look.source)


def no_request_no_gpu(facts: NodeIsolation) -> Verdict:
    """A container of a CUDA image (NVIDIA_VISIBLE_DEVICES=all from the image) that requests no GPU sees none."""
    return _sees_none(SEC_NO_REQUEST_NO_GPU, facts.image_env)


def env_no_gpu(facts: NodeIsolation) -> Verdict:
    """A container that requests no GPU but sets NVIDIA_VISIBLE_DEVICES=all in the pod spec sees none."""
    return _sees_none(SEC_ENV_NO_GPU, facts.pod_env)


def _holds_one(check: Check, look: Look, view: ContainerView) -> Verdict | None:
    """A failure unless the holder of 1 GPU sees exactly one: else what it holds is not what it asked for."""
    held = held_gpus(view)
    if len(held) == 1:
        return None
    fix = None if held else ("the GPU the pod was given reaches none of its containers: see WORKLOAD-VECTORADD and "
                             "PRE-RUNTIME-DEFAULT for this node")
    return Verdict.failed(check, f"{plural(len(held), 'GPU')} in a container holding 1: {seen(view)}", look.source,
                          "exactly 1 GPU in a container that requests 1", fix)


def container_isolation(facts: NodeIsolation) -> Verdict:
    """In a pod holding 1 GPU, the container that requests none (NVIDIA_VISIBLE_DEVICES empty) sees none."""
    check = SEC_CONTAINER_ISOLATION
    bystander, holder = view_of(check, facts.bystander), view_of(check, facts.holder)
    if bystander.sees_any:
        return Verdict.failed(check, f"{seen(bystander)} (its pod's holder: {seen(holder)})", facts.bystander.source,
                              f"{NONE_EXPECTED}, beside one holding 1 GPU")
    wrong = _holds_one(check, facts.holder, holder)
    if wrong is not None:
        return wrong
    return Verdict.passed(check, f"{seen(bystander)}, beside the holder of {held_gpus(holder)[0]}",
                          facts.bystander.source)


def pod_isolation(facts: NodeIsolation, node: GpuNode) -> Verdict:
    """Two pods holding 1 GPU each at the same time see different GPUs; skipped on nodes with fewer than 2."""
    check = SEC_POD_ISOLATION
    resource = gpu_resource_for(node)
    total = node.allocatable.get(resource, 0)
    if total < 2 or facts.other_holder is None:
        return Verdict.skipped(check, f"node {node.name} has {total} allocatable {resource}: two pods cannot hold "
                                      "one each at the same time")
    if resource.startswith(MIG_PREFIX):
        return Verdict.skipped(check, f"node {node.name} hands out MIG instances ({resource}): NVML in each pod lists "
                                      "the parent GPU, so two instances of one GPU cannot be told apart here")
    looks = (facts.holder, facts.other_holder)
    views = tuple(view_of(check, look) for look in looks)
    for look, view in zip(looks, views, strict=True):
        wrong = _holds_one(check, look, view)
        if wrong is not None:
            return wrong
    first, second = (held_gpus(view)[0] for view in views)
    source = f"{looks[0].source} and {looks[1].source}"
    if first == second:
        return Verdict.failed(check, f"both pods hold {first}: {seen(views[0])} | {seen(views[1])}", source,
                              "different GPUs in two pods holding 1 GPU each at the same time", _shared_fix(node))
    return Verdict.passed(check, f"{first} and {second}, held at the same time", source)


def _shared_fix(node: GpuNode) -> str | None:
    """With GPU sharing on, it is the cause: two pods get the same GPU by design."""
    shared = sharing(node)
    if shared.strategy == "none" and shared.replicas == 1:
        return None
    how = ", ".join(f"{key}={node.labels[key]}" for key in (GFD_SHARING, GFD_REPLICAS) if node.labels.get(key)) \
        or f"resource {shared.resource}"
    return (f"GPU sharing is on on node {node.name} ({how}) and is the cause: time-slicing and MPS give pods the same "
            "GPU by design; run pods that must not share a GPU on nodes without sharing, or remove the sharing "
            "section from the device plugin's config")
