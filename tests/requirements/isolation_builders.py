"""Isolation facts built by hand: what the isolation pods' containers print on the seed node k8s-node05."""

from __future__ import annotations

from dataclasses import replace

from gpu_conformance.facts.container_view import ContainerView, SeenGpu
from gpu_conformance.facts.isolation import Look, NodeIsolation

from .builders import NODE, RTX_4090

GPU0, GPU1 = (SeenGpu(0, g.uuid, g.name) for g in RTX_4090)
NOT_FOUND = "NVML Shared Library Not Found"
NOTHING = ContainerView("/dev", (), (), NOT_FOUND, "all")
EVERY_GPU = ContainerView("/dev", ("/dev/nvidia0", "/dev/nvidia1"), (GPU0, replace(GPU1, index=1)), None, "all")
POD = f"pod gpu-conformance/sec-nogpu-{NODE}-abc123"


def holding(gpu: SeenGpu, minor: int) -> ContainerView:
    return ContainerView("/dev", (f"/dev/nvidia{minor}",), (replace(gpu, index=0),), None, gpu.uuid)


def look(view: ContainerView | None, container: str = "image-env", problem: str | None = None) -> Look:
    return Look(f"{POD} container {container} on node {NODE}", "no GPU requested", view, problem)


def facts(image_env: ContainerView | None = NOTHING, pod_env: ContainerView | None = NOTHING,
          holder: ContainerView | None = None, bystander: ContainerView | None = None,
          other: ContainerView | None = None, with_other: bool = True) -> NodeIsolation:
    bystander = bystander or replace(NOTHING, visible_devices="")
    return NodeIsolation(
        NODE, look(image_env), look(pod_env, "pod-env"), look(holder or holding(GPU0, 0), "holder"),
        look(bystander, "bystander"), look(other or holding(GPU1, 1), "holder") if with_other else None)
