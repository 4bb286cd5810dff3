"""DRA facts built by hand, through the suite's own reading of the JSON the API serves (facts/dra.py): ResourceSlices
as NVIDIA's DRA driver publishes them (FACTS.md: attributes type, uuid, productName, driverVersion as a version)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gpu_conformance.facts.cluster import PluginDaemonSet, PluginPod
from gpu_conformance.facts.dra import DraFacts, read_slices

from .builders import NODE, RTX_4090

SLICE_SOURCE = "GET /apis/resource.k8s.io/v1/resourceslices"
KUBELET_PLUGIN_DS = PluginDaemonSet("nvidia-dra-driver-gpu", "nvidia-dra-driver-gpu-kubelet-plugin", 2, 2,
                                    "nvcr.io/nvidia/k8s-dra-driver-gpu:v25.12.0")
XID = {"key": "gpu.nvidia.com/xid", "value": "79", "effect": "NoSchedule", "timeAdded": "2026-12-03T10:00:00Z"}


def gpu_device(index: int, uuid: str, product: str = RTX_4090[0].name, driver: str = "535.104.5",
               taints: Sequence[Mapping[str, str]] = (), beta: bool = False) -> dict[str, Any]:
    """One whole GPU as the driver publishes it; v1beta1 nests all but the name under ``basic``."""
    body: dict[str, Any] = {
        "attributes": {"type": {"string": "gpu"}, "uuid": {"string": uuid}, "productName": {"string": product},
                       "brand": {"string": "GeForce"}, "architecture": {"string": "Ada Lovelace"},
                       "cudaComputeCapability": {"version": "8.9.0"}, "driverVersion": {"version": driver},
                       "cudaDriverVersion": {"version": "12.2.0"}, "index": {"int": index}},
        "capacity": {"memory": {"value": "24Gi"}},
    }
    if taints:
        body["taints"] = [dict(t) for t in taints]
    return {"name": f"gpu-{index}", "basic": body} if beta else {"name": f"gpu-{index}", **body}


def mig_device(parent: str, index: int = 0) -> dict[str, Any]:
    return {"name": f"gpu-0-mig-1g10gb-{index}", "attributes": {
        "type": {"string": "mig"}, "uuid": {"string": f"MIG-{index:08d}-0000-0000-0000-000000000000"},
        "parentUUID": {"string": parent}, "productName": {"string": RTX_4090[0].name},
        "driverVersion": {"version": "535.104.5"}, "profile": {"string": "1g.10gb"}}}


def resource_slice(devices: Sequence[Mapping[str, Any]], node: str = NODE, name: str | None = None,
                   generation: int = 1, count: int = 1, driver: str = "gpu.nvidia.com") -> dict[str, Any]:
    return {"apiVersion": "resource.k8s.io/v1", "kind": "ResourceSlice",
            "metadata": {"name": name or f"{node}-gpu.nvidia.com-x7k2p"},
            "spec": {"driver": driver, "nodeName": node,
                     "pool": {"name": node, "generation": generation, "resourceSliceCount": count},
                     "devices": [dict(d) for d in devices]}}


def node_slice(node: str = NODE, **changes: Any) -> dict[str, Any]:
    """The seed node's two RTX 4090 in one slice."""
    return resource_slice([gpu_device(g.index, g.uuid, **changes) for g in RTX_4090], node)


def kubelet_plugin_pod(node: str = NODE, ready: bool = True, restarts: int = 0, phase: str = "Running",
                       waiting: str | None = None, last_exit: str | None = None, log: str = "") -> PluginPod:
    return PluginPod("nvidia-dra-driver-gpu", "nvidia-dra-driver-gpu-kubelet-plugin-q8x2z", node, phase, ready,
                     restarts, waiting, last_exit, log)


def dra_facts(*slices: Mapping[str, Any], classes: tuple[str, ...] = ("gpu.nvidia.com", "mig.nvidia.com"),
              served: tuple[str, ...] = ("v1", "v1beta2", "v1beta1"), pods: tuple[PluginPod, ...] | None = None,
              daemonsets: tuple[PluginDaemonSet, ...] = (KUBELET_PLUGIN_DS,)) -> DraFacts:
    """DRA as the API shows it: by default v1 served, both classes, the seed node's slice and a Ready plugin pod."""
    contents = read_slices(slices if slices else (node_slice(),))
    version = next((v for v in ("v1", "v1beta2", "v1beta1") if v in served), None)
    return DraFacts(served, version, classes, contents.by_node, contents.pools, daemonsets,
                    (kubelet_plugin_pod(),) if pods is None else pods, SLICE_SOURCE)
