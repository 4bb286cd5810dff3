"""kube-controller-manager's node lifecycle controller, for nodes whose kubelet went silent.

Every monitor period it reads each node's Lease; one not renewed for the node-monitor grace period
makes the node's conditions Unknown ("Kubelet stopped posting node status."), adds the
``node.kubernetes.io/unreachable`` NoSchedule and NoExecute taints (each with ``timeAdded``), and
marks the pods there not Ready (MarkPodsNotReady: the Ready condition only; phases stay), with the
events a real controller records. Eviction after the pods' 300 s toleration is not simulated.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..errors import ApiError
from ..resources import LEASE, NODE, POD
from ..store import Obj, now_rfc3339
from .base import Context
from .heartbeat import LEASE_NAMESPACE, timing

COMPONENT = "node-controller"
UNREACHABLE = "node.kubernetes.io/unreachable"
STOPPED_MESSAGE = "Kubelet stopped posting node status."
_CONDITIONS = ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")


def unknown_conditions(conditions: list[dict[str, Any]], now: str) -> None:
    """Every kubelet condition Unknown, keeping the last heartbeat the kubelet posted."""
    for condition in conditions:
        if condition.get("type") in _CONDITIONS and condition.get("status") != "Unknown":
            condition.update(status="Unknown", reason="NodeStatusUnknown", message=STOPPED_MESSAGE,
                             lastTransitionTime=now)


def unreachable_taints(now: str) -> list[dict[str, str]]:
    return [{"key": UNREACHABLE, "effect": effect, "timeAdded": now} for effect in ("NoSchedule", "NoExecute")]


class NodeLifecycleController:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._grace = ctx.scenario.node_monitor_grace_seconds
        self._period = timing(ctx.scenario).monitor_every
        self._silent: set[str] = {n.name for n in ctx.scenario.nodes if not n.ready}  # already marked
        self._watched = [n.name for n in ctx.scenario.nodes if n.ready]
        ctx.clock.after(self._period, self._monitor, background=True)

    def on_event(self, type: str, resource: str, obj: Obj, old: Obj | None) -> None:
        """It looks at Leases on its own schedule."""

    def stop(self) -> None:
        """Nothing runs outside the manager thread."""

    def _monitor(self) -> None:
        now = datetime.now(UTC).timestamp()
        for name in self._watched:
            if name not in self._silent and self._age(name, now) > self._grace * self._ctx.clock.time_scale:
                self._silent.add(name)
                self._mark_unreachable(name)
        self._ctx.clock.after(self._period, self._monitor, background=True)

    def _age(self, node: str, now: float) -> float:
        lease = self._ctx.store.find(LEASE, LEASE_NAMESPACE, node)
        renewed = ((lease or {}).get("spec") or {}).get("renewTime")
        if not renewed:
            return 0.0
        return now - datetime.strptime(renewed, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()

    def _mark_unreachable(self, name: str) -> None:
        now = now_rfc3339()

        def apply(node: Obj) -> None:
            unknown_conditions(node.setdefault("status", {}).setdefault("conditions", []), now)
            taints = node.setdefault("spec", {}).setdefault("taints", [])
            taints.extend(t for t in unreachable_taints(now)
                          if not any((t["key"], t["effect"]) == (o.get("key"), o.get("effect")) for o in taints))

        try:
            node = self._ctx.store.update(NODE, "", name, apply)
        except ApiError:
            return
        self._ctx.recorder.event(node, "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady",
                                 COMPONENT)
        for pod in self._ctx.store.list(POD)[0]:
            if pod["spec"].get("nodeName") == name:
                self._mark_pod_not_ready(pod, now)

    def _mark_pod_not_ready(self, pod: Obj, now: str) -> None:
        meta = pod["metadata"]
        changed = False

        def apply(obj: Obj) -> None:
            nonlocal changed
            for condition in (obj.get("status") or {}).get("conditions") or []:
                if condition.get("type") == "Ready" and condition.get("status") != "False":
                    condition.update(status="False", lastTransitionTime=now)
                    changed = True

        try:
            updated = self._ctx.store.update(POD, meta["namespace"], meta["name"], apply)
        except ApiError:
            return
        if changed:
            self._ctx.recorder.event(updated, "Warning", "NodeNotReady", "Node is not ready", COMPONENT)
