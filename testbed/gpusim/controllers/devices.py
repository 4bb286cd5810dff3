"""The kubelet's device manager, for every node: plugin registrations, allocations, node capacity.

Extended resources appear in node capacity and allocatable only while a plugin has registered
them. When the plugin goes away the devices turn unhealthy at once (allocatable "0") and,
after the endpoint's stop grace period, capacity drops to "0" too; the resource is never
removed, which marks it as one a device plugin had managed (kubelet's nodestatus setter).
Devices the plugin reports Unhealthy count in capacity but not in allocatable.

With GPU sharing (time-slicing or MPS) the plugin advertises each GPU as ``replicas`` devices, so
several pods can hold the same GPU; a replica of an unhealthy GPU is unhealthy too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model import Gpu
from ..resources import NODE
from ..store import Obj
from .base import Context, Timer

STOP_GRACE_SECONDS = 300.0  # devicemanager endpointStopGracePeriod


class DeviceManager:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._registered: dict[str, dict[str, tuple[str, int]]] = {}  # node -> plugin pod uid -> resources
        self._allocated: dict[str, dict[str, tuple[int, ...]]] = {}  # node -> pod uid -> device slots
        self._expiry: dict[tuple[str, str], Timer] = {}
        self._enumerated: dict[str, tuple[str, dict[int, str]]] = {}  # node -> (plugin pod uid, index -> UUID)

    def register(self, node: str, plugin_uid: str, resources: tuple[tuple[str, int, int], ...],
                 enumerated: tuple[tuple[int, str], ...] = ()) -> None:
        """A plugin announces (resource, devices, healthy devices), and the GPUs' UUIDs as it read them."""
        if enumerated:
            self._enumerated[node] = (plugin_uid, dict(enumerated))
        entries = self._registered.setdefault(node, {})
        for index, (name, count, _) in enumerate(resources):
            entries[f"{plugin_uid}/{index}"] = (name, count)
            timer = self._expiry.pop((node, name), None)
            if timer is not None:
                timer.cancel()
        self._publish(node, {name: (str(count), str(healthy)) for name, count, healthy in resources})

    def enumerated(self, node: str) -> dict[int, str]:
        """GPU index -> the UUID the node's registered plugin advertises it by (empty: none registered)."""
        return dict(self._enumerated.get(node, ("", {}))[1])

    def unregister(self, node: str, plugin_uid: str) -> None:
        if self._enumerated.get(node, ("", {}))[0] == plugin_uid:
            del self._enumerated[node]
        entries = self._registered.get(node, {})
        gone = {entries.pop(key)[0] for key in [k for k in entries if k.startswith(f"{plugin_uid}/")]}
        still = {name for name, _ in entries.values()}
        for name in gone - still:
            self._publish(node, {name: (None, "0")})
            self._expiry[(node, name)] = self._ctx.clock.after(STOP_GRACE_SECONDS, self._expire(node, name))

    def _expire(self, node: str, resource: str) -> Callable[[], None]:
        return lambda: self._publish(node, {resource: ("0", "0")})

    def label(self, node: str, labels: tuple[tuple[str, str], ...]) -> None:
        def apply(obj: Obj) -> None:
            obj["metadata"].setdefault("labels", {}).update(dict(labels))

        self._ctx.store.update(NODE, "", node, apply)

    def allocate(self, node: str, pod: Obj, container: str | None = None) -> tuple[Gpu, ...]:
        """Pick free devices for a pod's nvidia.com/gpu (or MIG, or shared) requests, as Allocate() would;
        the GPUs behind them: ``container``'s share (its own request, in the order of the pod's containers; an
        init container's from the first), or the whole pod's."""
        spec = self._ctx.scenario.node(node)
        replicas = spec.sharing.replicas if spec.sharing is not None else 1
        uid = pod["metadata"]["uid"]
        containers = pod["spec"].get("containers") or []
        wanted = sum(_gpu_request(c) for c in containers)
        if wanted and uid not in self._allocated.get(node, {}):
            taken = {s for slots in self._allocated.get(node, {}).values() for s in slots}
            healthy = [g.index for g in spec.gpus if g.index not in spec.unhealthy_gpus]
            free = [i * replicas + r for r in range(replicas) for i in healthy if i * replicas + r not in taken]
            self._allocated.setdefault(node, {})[uid] = tuple(free[:wanted])
        slots = self._allocated.get(node, {}).get(uid, ())
        if container is not None:
            slots = _share(pod, container, slots)
        chosen = {slot // replicas for slot in slots}
        return tuple(g for g in spec.gpus if g.index in chosen)

    def release(self, node: str, pod_uid: str) -> None:
        self._allocated.get(node, {}).pop(pod_uid, None)

    def _publish(self, node: str, values: dict[str, tuple[str | None, str]]) -> None:
        """Write (capacity, allocatable) per resource into node status; None keeps capacity."""
        def apply(obj: Obj) -> None:
            status = obj.setdefault("status", {})
            capacity, allocatable = status.setdefault("capacity", {}), status.setdefault("allocatable", {})
            for name, (cap, alloc) in values.items():
                if cap is not None:
                    capacity[name] = cap
                allocatable[name] = alloc

        if self._ctx.store.find(NODE, "", node) is not None:
            self._ctx.store.update(NODE, "", node, apply)


def _gpu_request(container: dict[str, Any]) -> int:
    resources = container.get("resources") or {}
    merged = {**(resources.get("requests") or {}), **(resources.get("limits") or {})}
    return sum(int(str(v)) for k, v in merged.items() if k.startswith("nvidia.com/") and str(v).isdigit())


def _share(pod: Obj, name: str, slots: tuple[int, ...]) -> tuple[int, ...]:
    """The slots of the pod's allocation that go to container ``name``."""
    offset = 0
    for c in pod["spec"].get("containers") or []:
        count = _gpu_request(c)
        if c.get("name") == name:
            return slots[offset:offset + count]
        offset += count
    init = next((c for c in pod["spec"].get("initContainers") or [] if c.get("name") == name), None)
    return slots[:_gpu_request(init)] if init is not None else ()
