"""Which nodes have GPUs, and how many: the one place the suite decides it.

A node is a GPU node when any signal says so: it advertises an NVIDIA resource (whole GPUs, MIG
instances or shared GPUs), Node Feature Discovery found an NVIDIA PCI device (vendor 10de), GPU Feature
Discovery labelled it, it carries the tutorial's ``gpu-node=true``, a device plugin pod runs there, or
it matches the user's ``--gpu-node-selector``. A node that looks like a GPU node yet advertises nothing
is still one: it must show up as failing the capacity check, never be silently dropped.

Dynamic Resource Allocation is the second way GPUs reach pods: a node whose ResourceSlices of NVIDIA's DRA
driver (``gpu.nvidia.com``) publish devices, or that runs the driver's kubelet-plugin pod, is a GPU node too, and
its published devices are what it advertises when it advertises no extended resource.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

WHOLE_GPU = "nvidia.com/gpu"
SHARED_GPU = "nvidia.com/gpu.shared"
MIG_PREFIX = "nvidia.com/mig-"
GPU_PRESENT = "nvidia.com/gpu.present"  # GPU Feature Discovery and the GPU Operator
GFD_LABELS = ("nvidia.com/gpu.product", "nvidia.com/gpu.count")  # set by GPU Feature Discovery on GPU nodes only
TUTORIAL_LABEL = "gpu-node"  # the tutorial labels its GPU nodes gpu-node=true
# Node Feature Discovery: pci-10de.present, or with the device class first (pci-0302_10de.present).
_NFD_NVIDIA = re.compile(r"feature\.node\.kubernetes\.io/pci-(?:[0-9a-f]{4}_)?10de\.present")


def is_gpu_resource(name: str) -> bool:
    return name in (WHOLE_GPU, SHARED_GPU) or name.startswith(MIG_PREFIX)


@dataclass(frozen=True)
class NodeReadiness:
    """The node's Ready condition as the API shows it (the kubelet sets it; the node lifecycle controller turns
    it Unknown when the kubelet stops posting), with its taints of the node lifecycle."""

    status: str  # "True", "False", "Unknown", or "" when the node has no Ready condition
    reason: str = ""  # e.g. KubeletReady, NodeStatusUnknown
    message: str = ""  # e.g. "Kubelet stopped posting node status."
    since: str = ""  # lastTransitionTime, as the API wrote it
    heartbeat: str = ""  # lastHeartbeatTime

    @property
    def ready(self) -> bool:
        return self.status == "True"

    def not_ready(self, node: str) -> str:
        """``node k8s-node06 is NotReady since T (Ready=Unknown, NodeStatusUnknown: Kubelet stopped posting ...)``."""
        if not self.status:
            return f"node {node} is NotReady: it has no Ready condition (no kubelet ever posted its status)"
        why = ", ".join(part for part in (f"Ready={self.status}", self.reason) if part)
        message = f": {self.message}" if self.message else ""
        since = f" since {self.since}" if self.since else ""
        return f"node {node} is NotReady{since} ({why}{message})"


@dataclass(frozen=True)
class GpuNode:
    """A node the suite checks, with what the API says about its GPUs."""

    name: str
    capacity: Mapping[str, int]  # GPU resources only, e.g. {"nvidia.com/gpu": 2}
    allocatable: Mapping[str, int]
    why: tuple[str, ...]  # how it was recognised: "advertises nvidia.com/gpu", "label nvidia.com/gpu.present=true"
    labels: Mapping[str, str]
    taints: tuple[Mapping[str, str], ...]
    unschedulable: bool
    readiness: NodeReadiness
    internal_ip: str | None
    kubelet_version: str
    container_runtime_version: str
    dra_gpus: int = 0  # devices of driver gpu.nvidia.com in the node's ResourceSlices
    plugin_pod: str | None = None  # a device plugin pod scheduled there, "namespace/name"
    dra_plugin_pod: str | None = None  # NVIDIA's DRA kubelet-plugin pod scheduled there, "namespace/name"

    @property
    def ready(self) -> bool:
        return self.readiness.ready

    @property
    def advertised_gpus(self) -> int:
        """GPUs that pods can be given: whole GPUs, else MIG instances, else shared replicas, else the devices
        its ResourceSlices publish (DRA)."""
        if self.allocatable.get(WHOLE_GPU):
            return self.allocatable[WHOLE_GPU]
        mig = sum(v for k, v in self.allocatable.items() if k.startswith(MIG_PREFIX))
        return mig or self.allocatable.get(SHARED_GPU, 0) or self.dra_gpus

    @property
    def advertises_extended_resource(self) -> bool:
        """Whether the node advertises an NVIDIA extended resource (the device plugin's way)."""
        return any(v > 0 for v in self.allocatable.values()) or any(v > 0 for v in self.capacity.values())

    @property
    def allocatable_shortfall(self) -> dict[str, tuple[int, int]]:
        """GPU resources whose allocatable is below capacity: resource -> (capacity, allocatable). The device plugin
        keeps a GPU it marked unhealthy (a critical Xid) in capacity and takes it out of allocatable."""
        return {name: (capacity, self.allocatable.get(name, 0)) for name, capacity in sorted(self.capacity.items())
                if self.allocatable.get(name, 0) < capacity}


def _quantity(value: Any) -> int:
    text = str(value)
    return int(text) if text.isdigit() else 0


def _get(obj: Any, *path: str) -> Any:
    """Read a field from a typed client model or a plain dict (the API's JSON)."""
    for part in path:
        if obj is None:
            return None
        obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, _snake(part), None)
    return obj


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _gpu_resources(resources: Mapping[str, Any] | None) -> dict[str, int]:
    return {k: _quantity(v) for k, v in (resources or {}).items() if is_gpu_resource(k)}


def _address(node: Any, kind: str) -> str | None:
    for address in _get(node, "status", "addresses") or []:
        if _get(address, "type") == kind:
            return str(_get(address, "address"))
    return None


def readiness(node: Any) -> NodeReadiness:
    """The Ready condition of a Node object (typed or dict)."""
    ready = next((c for c in _get(node, "status", "conditions") or [] if _get(c, "type") == "Ready"), None)
    if ready is None:
        return NodeReadiness("")

    def text(name: str) -> str:
        value = _get(ready, name) or ""
        return value.strftime("%Y-%m-%dT%H:%M:%SZ") if hasattr(value, "strftime") else str(value)
    return NodeReadiness(text("status"), text("reason"), text("message"), text("lastTransitionTime"),
                         text("lastHeartbeatTime"))


def _taint(taint: Any) -> dict[str, str]:
    return {k: str(_get(taint, k) or "") for k in ("key", "value", "effect")}


def label_marks(labels: Mapping[str, str]) -> list[str]:
    """The labels that mark a node as having NVIDIA GPUs, as ``label KEY=VALUE``."""
    marks = [f"label {k}={v}" for k, v in sorted(labels.items())
             if v == "true" and (k == GPU_PRESENT or _NFD_NVIDIA.fullmatch(k))]
    marks += [f"label {k}={labels[k]}" for k in GFD_LABELS if labels.get(k)]
    if labels.get(TUTORIAL_LABEL) == "true":
        marks.append(f"label {TUTORIAL_LABEL}=true")
    return marks


@dataclass(frozen=True)
class DraSignals:
    """What Dynamic Resource Allocation says of the nodes at session start: the resource.k8s.io version the API
    serves, how many ResourceSlices driver gpu.nvidia.com published, the devices they publish on each node, and
    the DRA driver's kubelet-plugin pod on each ("namespace/name")."""

    version: str | None = None  # None: resource.k8s.io is not served in a supported version
    slices: int = 0
    devices: Mapping[str, int] = field(default_factory=dict)
    plugin_pods: Mapping[str, str] = field(default_factory=dict)
    unreadable: str = ""  # why the slices or pods could not be listed (a missing permission), else ""


NO_DRA = DraSignals()


def gpu_node(node: Any, matched_selector: bool, plugin_pod: str | None = None, dra_gpus: int = 0,
             dra_plugin_pod: str | None = None) -> GpuNode | None:
    """The GpuNode for a Node object (typed or dict), or None when nothing marks it as one.

    ``plugin_pod`` names a device plugin pod scheduled on the node ("namespace/name"), if one is; ``dra_gpus``
    counts the devices its ResourceSlices of gpu.nvidia.com publish; ``dra_plugin_pod`` names the DRA driver's
    kubelet-plugin pod there.
    """
    labels: dict[str, str] = dict(_get(node, "metadata", "labels") or {})
    capacity = _gpu_resources(_get(node, "status", "capacity"))
    allocatable = _gpu_resources(_get(node, "status", "allocatable"))
    why = [f"advertises {k}" for k, v in sorted(capacity.items()) if v > 0]
    why += label_marks(labels)
    if plugin_pod:
        why.append(f"runs device plugin pod {plugin_pod}")
    if dra_gpus:
        why.append(f"publishes {dra_gpus} devices in ResourceSlices of driver gpu.nvidia.com")
    if dra_plugin_pod:
        why.append(f"runs DRA kubelet-plugin pod {dra_plugin_pod}")
    if matched_selector:
        why.append("matches --gpu-node-selector")
    if not why:
        return None
    info = _get(node, "status", "nodeInfo")
    return GpuNode(
        name=str(_get(node, "metadata", "name")), capacity=capacity, allocatable=allocatable, why=tuple(why),
        labels=labels, taints=tuple(_taint(t) for t in _get(node, "spec", "taints") or []),
        unschedulable=bool(_get(node, "spec", "unschedulable")), readiness=readiness(node),
        internal_ip=_address(node, "InternalIP"), kubelet_version=str(_get(info, "kubeletVersion") or ""),
        container_runtime_version=str(_get(info, "containerRuntimeVersion") or ""), dra_gpus=dra_gpus,
        plugin_pod=plugin_pod, dra_plugin_pod=dra_plugin_pod,
    )


def find_gpu_nodes(nodes: Iterable[Any], selected: Callable[[Any], bool] = lambda node: False,
                   plugin_pods: Mapping[str, str] | None = None, dra: DraSignals = NO_DRA) -> list[GpuNode]:
    """Every GPU node among ``nodes`` (one list call's items), sorted by name.

    ``selected`` tells whether a node matches the user's --gpu-node-selector; ``plugin_pods`` maps a node's name
    to a device plugin pod scheduled there; ``dra`` says what DRA shows of each node.
    """
    pods = plugin_pods or {}

    def read(node: Any) -> GpuNode | None:
        name = str(_get(node, "metadata", "name"))
        return gpu_node(node, selected(node), pods.get(name), dra.devices.get(name, 0), dra.plugin_pods.get(name))
    found = (read(node) for node in nodes)
    return sorted((n for n in found if n is not None), key=lambda n: n.name)
