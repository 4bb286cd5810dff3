"""Dynamic Resource Allocation as the API shows it: the resource.k8s.io versions served, DeviceClasses, and the
devices NVIDIA's DRA driver publishes in ResourceSlices, with their pools and the driver's kubelet-plugin pods.

Plain data, and the reading of the API's JSON into it (no I/O). ResourceSlices come in two shapes: v1 and
v1beta2 keep a Device flat (``name``, ``attributes``, ``capacity``, ``taints``), v1beta1 nests all but the name
under ``basic``; both read the same here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .cluster import PluginDaemonSet, PluginPod

DRA_GROUP = "resource.k8s.io"
DRA_DRIVER = "gpu.nvidia.com"  # NVIDIA's DRA driver (kubernetes-sigs/dra-driver-nvidia-gpu)
GPU_CLASS = "gpu.nvidia.com"  # its DeviceClass of whole GPUs
MIG_CLASS = "mig.nvidia.com"  # its DeviceClass of MIG devices
SUPPORTED_VERSIONS = ("v1", "v1beta2", "v1beta1")  # newest first: the suite speaks the newest one served


@dataclass(frozen=True)
class DeviceTaint:
    """A taint the driver put on a device (e.g. ``gpu.nvidia.com/xid=79:NoSchedule`` on an unhealthy GPU)."""

    key: str
    value: str
    effect: str  # NoSchedule | NoExecute
    time_added: str  # as the API wrote it; "" when not set

    def __str__(self) -> str:
        value = f"={self.value}" if self.value else ""
        return f"{self.key}{value}:{self.effect}"


@dataclass(frozen=True)
class DraDevice:
    """One device of a ResourceSlice, with the attributes NVIDIA's driver sets (unqualified names)."""

    name: str  # the device's name in its slice, e.g. "gpu-0"
    pool: str
    slice_name: str
    node: str  # the slice's nodeName; "" for a slice of several nodes
    kind: str  # the ``type`` attribute: "gpu", "mig", ...
    uuid: str
    product_name: str
    driver_version: str
    attributes: Mapping[str, str]  # every attribute, its value as text
    taints: tuple[DeviceTaint, ...] = ()


@dataclass(frozen=True)
class DraPool:
    """A pool of the driver's ResourceSlices: complete when every slice of its newest generation is present."""

    name: str
    node: str
    generation: int  # the newest generation seen
    slice_count: int  # resourceSliceCount of the newest generation
    slices: tuple[str, ...]  # names of the slices of the newest generation present

    @property
    def complete(self) -> bool:
        return len(self.slices) >= self.slice_count


@dataclass(frozen=True)
class DraFacts:
    """What the cluster serves of DRA, and what NVIDIA's driver published there."""

    served_versions: tuple[str, ...]  # resource.k8s.io versions the API serves, as discovery lists them
    version: str | None  # the one the suite speaks: the newest supported one served; None when none is
    device_classes: tuple[str, ...]  # DeviceClass names
    devices_by_node: Mapping[str, tuple[DraDevice, ...]]  # the driver's devices, by the node of their slice
    pools: tuple[DraPool, ...]  # the driver's pools
    plugin_daemonsets: tuple[PluginDaemonSet, ...] = ()  # the driver's kubelet-plugin DaemonSets
    plugin_pods: tuple[PluginPod, ...] = ()  # their pods
    source: str = ""  # where it was read, e.g. "GET /apis/resource.k8s.io/v1/resourceslices"

    def devices_on(self, node: str) -> tuple[DraDevice, ...]:
        return tuple(self.devices_by_node.get(node, ()))

    def pools_on(self, node: str) -> tuple[DraPool, ...]:
        return tuple(p for p in self.pools if p.node == node)

    def plugin_pods_on(self, node: str) -> tuple[PluginPod, ...]:
        return tuple(p for p in self.plugin_pods if p.node == node)

    @property
    def uses_mig(self) -> bool:
        return any(d.kind == "mig" for devices in self.devices_by_node.values() for d in devices)


def spoken_version(served: Iterable[str]) -> str | None:
    """The newest supported resource.k8s.io version among those served (v1 > v1beta2 > v1beta1)."""
    available = set(served)
    return next((v for v in SUPPORTED_VERSIONS if v in available), None)


@dataclass(frozen=True)
class SliceContents:
    """The driver's devices and pools read from one list of ResourceSlices."""

    pools: tuple[DraPool, ...] = ()
    by_node: Mapping[str, tuple[DraDevice, ...]] = field(default_factory=dict)  # by the node of their slice


def _text(value: Any) -> str:
    """An attribute's value (``{"string": ...}``, ``{"version": ...}``, ``{"int": ...}``, ``{"bool": ...}``) as text."""
    if isinstance(value, Mapping):
        for kind in ("string", "version", "int", "bool"):
            if kind in value and value[kind] is not None:
                inner = value[kind]
                return str(inner).lower() if isinstance(inner, bool) else str(inner)
        return ""
    return "" if value is None else str(value)


def _attributes(raw: Mapping[str, Any] | None) -> dict[str, str]:
    """Attribute name -> text; names qualified with the driver's domain read as the driver's own unqualified ones."""
    prefix = DRA_DRIVER + "/"
    return {(k[len(prefix):] if k.startswith(prefix) else k): _text(v) for k, v in (raw or {}).items()}


def _taints(raw: Iterable[Mapping[str, Any]] | None) -> tuple[DeviceTaint, ...]:
    return tuple(DeviceTaint(str(t.get("key") or ""), str(t.get("value") or ""), str(t.get("effect") or ""),
                             str(t.get("timeAdded") or "")) for t in raw or ())


def read_device(raw: Mapping[str, Any], pool: str, slice_name: str, node: str) -> DraDevice:
    """A Device of any served version: v1beta1 nests it under ``basic``."""
    body = raw.get("basic") or raw
    attributes = _attributes(body.get("attributes"))
    return DraDevice(
        name=str(raw.get("name") or ""), pool=pool, slice_name=slice_name, node=node,
        kind=attributes.get("type", ""), uuid=attributes.get("uuid", ""),
        product_name=attributes.get("productName", ""), driver_version=attributes.get("driverVersion", ""),
        attributes=attributes, taints=_taints(body.get("taints")),
    )


def read_slices(items: Iterable[Mapping[str, Any]], driver: str = DRA_DRIVER) -> SliceContents:
    """The devices and pools of ``driver`` in a list of ResourceSlices (the API's JSON items).

    Only the newest generation of each pool counts: older slices are being replaced.
    """
    mine = [s for s in items if (s.get("spec") or {}).get("driver") == driver]
    newest: dict[str, int] = {}
    for item in mine:
        pool = item["spec"].get("pool") or {}
        name = str(pool.get("name") or "")
        newest[name] = max(newest.get(name, 0), int(pool.get("generation") or 0))
    devices: list[DraDevice] = []
    pools: dict[str, DraPool] = {}
    for item in sorted(mine, key=lambda s: str((s.get("metadata") or {}).get("name") or "")):
        spec = item["spec"]
        pool = spec.get("pool") or {}
        pool_name = str(pool.get("name") or "")
        if int(pool.get("generation") or 0) != newest[pool_name]:
            continue
        slice_name = str((item.get("metadata") or {}).get("name") or "")
        node = str(spec.get("nodeName") or "")
        known = pools.get(pool_name)
        pools[pool_name] = DraPool(pool_name, node, newest[pool_name], int(pool.get("resourceSliceCount") or 1),
                                   (*(known.slices if known else ()), slice_name))
        devices += [read_device(d, pool_name, slice_name, node) for d in spec.get("devices") or ()]
    by_node: dict[str, tuple[DraDevice, ...]] = {}
    for device in devices:
        by_node[device.node] = (*by_node.get(device.node, ()), device)
    return SliceContents(tuple(sorted(pools.values(), key=lambda p: p.name)), by_node)


def gpu_devices(devices: Iterable[DraDevice]) -> tuple[DraDevice, ...]:
    """The whole GPUs among ``devices`` (the ``type`` attribute ``gpu``)."""
    return tuple(d for d in devices if d.kind == "gpu")
