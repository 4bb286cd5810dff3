"""``--gpu-request``: which way of asking for GPUs the run checks, decided once at session start.

``auto`` follows what the cluster shows: Dynamic Resource Allocation when the API serves resource.k8s.io and
NVIDIA's DRA driver published a ResourceSlice, the device plugin when a node advertises an NVIDIA extended
resource (or when neither shows: the tutorial's way, whose checks then say what is missing); both when both do.
The checks of a way not in use are deselected, and the run says so once, with the why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .gpu_nodes import DraSignals, GpuNode

AUTO = "auto"
NAMES =  {"device-plugin": "the device plugin's checks", "dra": "the DRA checks"}


@dataclass(frozen=True)
class GpuRequestChoice:
    option: str  # the value of --gpu-request: auto, device-plugin or dra
    requests: tuple[str, ...]  # the ways in use: device-plugin, dra
    why: str  # what the cluster showed (auto), or that the option chose it

    def runs(self, gpu_request: str, node: GpuNode | None = None) -> bool:
        """Whether a check of this way of requesting GPUs (or of "any") runs, on ``node`` when it is per node."""
        return gpu_request == "any" or gpu_request in (self.node_requests(node) if node else self.requests)

    def node_requests(self, node: GpuNode) -> tuple[str, ...]:
        """The ways that serve ``node``: with both in use, those the node shows (extended resources or a device
        plugin pod; devices in ResourceSlices or a DRA kubelet-plugin pod), both when it shows neither."""
        if len(self.requests) < 2:
            return self.requests
        shown = (("device-plugin",) if node.advertises_extended_resource or node.plugin_pod else ()) + (
            ("dra",) if node.dra_gpus or node.dra_plugin_pod else ())
        return shown or self.requests

    def dra_serves(self, node: GpuNode) -> bool:
        """Whether NVIDIA's DRA driver hands out the node's GPUs in this run."""
        return "dra" in self.node_requests(node)

    def summary(self) -> str:
        """``--gpu-request auto: dra (why): the device plugin's checks are not run``."""
        chosen = " and ".join(self.requests)
        dropped = [NAMES[r] for r in NAMES if r not in self.requests]
        tail = (f": {' and '.join(dropped)} are not run" if dropped
                else ": on a node that shows one way only, the other way's checks of that node are not run")
        return f"--gpu-request {self.option}: {chosen} ({self.why}){tail}"


def _nodes(names: Sequence[str]) -> str:
    return f"{len(names)} node{'s' if len(names) != 1 else ''}"


def choose_gpu_request(option: str, dra: DraSignals, nodes: Sequence[GpuNode]) -> GpuRequestChoice:
    """The ways in use under ``--gpu-request option``, from the session's DRA signals and GPU nodes."""
    if option != AUTO:
        request = "dra" if option == "dra" else "device-plugin"
        return GpuRequestChoice(option, (request,), f"chosen by --gpu-request {option}")
    extended = [n.name for n in nodes if n.advertises_extended_resource]
    publishing = [n.name for n in nodes if n.dra_gpus]
    verb = "advertises" if len(extended) == 1 else "advertise"
    device_plugin = (f"{_nodes(extended)} {verb} nvidia.com/gpu or MIG/shared GPUs" if extended
                     else "no node advertises nvidia.com/gpu")
    if dra.version is None:
        return GpuRequestChoice(option, ("device-plugin",), f"resource.k8s.io is not served; {device_plugin}")
    if not dra.slices:
        unread = f" ({dra.unreadable})" if dra.unreadable else ""
        return GpuRequestChoice(option, ("device-plugin",),
                                f"resource.k8s.io/{dra.version} served, no ResourceSlice of gpu.nvidia.com{unread}; "
                                f"{device_plugin}")
    slices = (f"ResourceSlices of gpu.nvidia.com on {_nodes(publishing)}" if publishing
              else f"{dra.slices} ResourceSlices of gpu.nvidia.com")
    if extended:
        return GpuRequestChoice(option, ("device-plugin", "dra"), f"{slices}; {device_plugin}")
    return GpuRequestChoice(option, ("dra",), f"{slices}; {device_plugin}")
