"""default-scheduler: binds pending pods to nodes, or says in the real words why it cannot.

Unschedulable pods are retried when something that could make them fit changes (a node, a
pod leaving, a claim made or bound), as the real scheduling queue moves them back from its
unschedulable pool. Pods with PersistentVolumeClaims go through the VolumeBinding plugin
(``volume_binding.py``), pods with ResourceClaims through DynamicResources (``dra_allocation.py``).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ..cel import CelError
from ..errors import ApiError
from ..resources import DEVICECLASS, NODE, POD, PVC, RESOURCECLAIM, RESOURCESLICE
from ..store import Obj, now_rfc3339
from .base import Context
from .dra_allocation import DELETE_PROTECTION, allocate, in_use, missing_class, pod_claims
from .fit import (
    PREFILTER_REASON,
    Rejection,
    filter_node,
    fit_error,
    pinned_nodes,
    resources_fit,
    used_resources,
)
from .objects import is_deleting, is_terminal, set_condition
from .volume_binding import node_conflict, prefilter, select_node, unbound_waiting

COMPONENT = "default-scheduler"
_SYSTEM_PRIORITIES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}
_NO_VICTIMS = "No preemption victims found for incoming pod"
_NOT_HELPFUL = "Preemption is not helpful for scheduling"


def priority(pod: Obj) -> int:
    spec = pod["spec"]
    if spec.get("priority") is not None:
        return int(spec["priority"])
    return _SYSTEM_PRIORITIES.get(spec.get("priorityClassName", ""), 0)


class SchedulerController:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._retry_pending = False
        # The scheduler cache: non-terminal pods bound to each node, kept from pod events.
        self._bound: dict[str, dict[str, Obj]] = {}
        minor = ctx.scenario.version.minor.rstrip("+")
        self._capacity_unresolvable = minor.isdigit() and int(minor) >= 34
        planes = [n.name for n in ctx.scenario.nodes if "control-plane" in n.roles]
        self._instance = f"{COMPONENT}-{planes[0]}" if planes else COMPONENT

    def stop(self) -> None:
        return None

    def on_event(self, type: str, resource: str, obj: Obj, old: Obj | None) -> None:
        if resource == POD.key:
            self._cache(type, obj, old)
            if type == "ADDED" and self._wants_scheduling(obj):
                self._schedule(obj)
            elif type == "DELETED" or (old is not None and is_terminal(obj) and not is_terminal(old)):
                self._retry_soon()
        elif _may_unblock(type, resource, obj, old):
            self._retry_soon()

    @staticmethod
    def _wants_scheduling(pod: Obj) -> bool:
        spec = pod["spec"]
        return (not spec.get("nodeName") and spec.get("schedulerName", COMPONENT) == COMPONENT
                and not is_deleting(pod) and not is_terminal(pod))

    def _retry_soon(self) -> None:
        if not self._retry_pending:
            self._retry_pending = True
            self._ctx.clock.after(0.05, self._retry_all)

    def _retry_all(self) -> None:
        self._retry_pending = False
        pods, _ = self._ctx.store.list(POD)
        for pod in pods:
            if self._wants_scheduling(pod):
                self._schedule(pod)

    def _cache(self, type: str, pod: Obj, old: Obj | None) -> None:
        uid = pod["metadata"]["uid"]
        if old is not None and old["spec"].get("nodeName"):
            self._bound.get(old["spec"]["nodeName"], {}).pop(uid, None)
        node = pod["spec"].get("nodeName")
        if node and type != "DELETED" and not is_terminal(pod):
            self._bound.setdefault(node, {})[uid] = pod

    def _on_node(self, name: str) -> list[Obj]:
        return list(self._bound.get(name, {}).values())

    def _used_on(self, name: str) -> dict[str, Decimal]:
        return used_resources(self._on_node(name))

    def _schedule(self, pod: Obj) -> None:
        store = self._ctx.store
        dra = pod_claims(store, pod)
        blocked = prefilter(store, pod) or dra.blocked or missing_class(store, dra.claims)
        if blocked is not None:
            nodes, _ = store.list(NODE)
            never = pod["spec"].get("preemptionPolicy") == "Never"
            self._unschedulable(pod, fit_error(len(nodes), [], None if never else [_NOT_HELPFUL] * len(nodes),
                                               blocked))
            return
        pinned = pinned_nodes(pod["spec"])
        if pinned is not None:  # PreFilter narrowed the candidates (DaemonSet pods): try just those
            candidates = [n for n in (store.find(NODE, "", name) for name in sorted(pinned)) if n is not None]
        else:
            candidates, _ = store.list(NODE)
        rejections: dict[str, Rejection] = {}
        taken = in_use(store) if dra.claims else set()
        for node in candidates:
            name = node["metadata"]["name"]
            rejection = filter_node(pod["spec"], node, functools.partial(self._used_on, name),
                                    self._capacity_unresolvable)
            conflict = node_conflict(store, pod, node) if rejection is None else None
            if conflict is not None:
                rejection = Rejection((conflict,), resolvable=False)
            allocations: dict[str, Any] = {}
            if rejection is None and dra.claims:
                try:
                    found = allocate(store, dra.claims, node, taken)
                except CelError as err:  # an error status, not a verdict on the node (framework RunFilterPlugins)
                    self._unschedulable(pod, f'running "DynamicResources" filter plugin: {err}', "SchedulerError")
                    return
                if isinstance(found, str):
                    rejection = Rejection((found,), resolvable=False)
                else:
                    allocations = found
            if rejection is None:
                if self._reserve(pod, allocations):
                    self._assign(pod, name)
                return
            rejections[name] = rejection
        nodes, _ = store.list(NODE)
        if not nodes:
            self._unschedulable(pod, "no nodes available to schedule pods")
            return
        for node in nodes:
            rejections.setdefault(node["metadata"]["name"], Rejection((PREFILTER_REASON,), resolvable=False))
        reasons = [r for rej in rejections.values() for r in rej.reasons]
        preemption = self._preempt(pod, nodes, rejections)
        self._unschedulable(pod, fit_error(len(nodes), reasons, preemption))

    def _preempt(self, pod: Obj, nodes: list[Obj], rejections: dict[str, Rejection]) -> list[str] | None:
        """DefaultPreemption: evict lower-priority pods where that makes the pod fit.

        Returns the preemption diagnosis, or None when victims were chosen (the real
        scheduler then reports no preemption half and nominates the node).
        """
        if pod["spec"].get("preemptionPolicy") == "Never":
            return None
        mine = priority(pod)
        diagnosis: list[str] = []
        for node in nodes:
            name = node["metadata"]["name"]
            if not rejections[name].resolvable:
                diagnosis.append(_NOT_HELPFUL)
                continue
            victims = self._victims(pod, node, self._on_node(name), mine)
            if victims is None:
                diagnosis.append(_NO_VICTIMS)
                continue
            self._evict(pod, name, victims)
            return None
        return diagnosis

    @staticmethod
    def _victims(pod: Obj, node: Obj, on_node: list[Obj], mine: int) -> list[Obj] | None:
        lower = sorted((p for p in on_node if priority(p) < mine), key=priority)
        keep = [p for p in on_node if priority(p) >= mine]
        if not lower or resources_fit(pod["spec"], node, used_resources(keep)) is not None:
            return None
        victims: list[Obj] = []
        while resources_fit(pod["spec"], node, used_resources(keep + lower)) is not None:
            victims.append(lower.pop(0))
        return victims

    def _evict(self, pod: Obj, node: str, victims: list[Obj]) -> None:
        ctx = self._ctx
        for victim in victims:
            meta = victim["metadata"]
            grace = int(victim["spec"].get("terminationGracePeriodSeconds", 30))
            ctx.recorder.event(victim, "Normal", "Preempted",
                               f"Preempted by pod {pod['metadata']['uid']} on node {node}", COMPONENT,
                               action="Preempting", instance=self._instance)
            when = (datetime.now(UTC) + timedelta(seconds=grace)).strftime("%Y-%m-%dT%H:%M:%SZ")

            def mark(obj: Obj, when: str = when, grace: int = grace) -> None:
                obj["metadata"].setdefault("deletionTimestamp", when)
                obj["metadata"].setdefault("deletionGracePeriodSeconds", grace)

            ctx.store.update(POD, meta["namespace"], meta["name"], mark)
        self._update_status(pod, lambda status: status.__setitem__("nominatedNodeName", node))

    def _update_status(self, pod: Obj, change: Any) -> Obj | None:
        meta = pod["metadata"]
        try:
            return self._ctx.store.update(POD, meta["namespace"], meta["name"],
                                          lambda obj: change(obj.setdefault("status", {})))
        except ApiError:  # the pod went away meanwhile
            return None

    def _unschedulable(self, pod: Obj, message: str, reason: str = "Unschedulable") -> None:
        def change(status: dict[str, Any]) -> None:
            status.setdefault("phase", "Pending")
            conditions = status.setdefault("conditions", [])
            set_condition(conditions, {"type": "PodScheduled", "status": "False", "lastProbeTime": None,
                                       "reason": reason, "message": message}, now_rfc3339())

        updated = self._update_status(pod, change)
        if updated is not None:
            self._ctx.recorder.event(updated, "Warning", "FailedScheduling", message, COMPONENT,
                                     action="Scheduling", instance=self._instance)

    def _assign(self, pod: Obj, node: str) -> None:
        """Bind, or first have the pod's WaitForFirstConsumer claims provisioned on ``node``."""
        waiting = unbound_waiting(self._ctx.store, pod)
        if not waiting:
            self._bind(pod, node)
            return
        try:
            select_node(self._ctx.store, waiting, node)
        except ApiError:  # a claim went away meanwhile: its event brings the pod back
            return

    def _reserve(self, pod: Obj, allocations: dict[str, Any]) -> bool:
        """DynamicResources Reserve/PreBind: write each claim's allocation (with the finalizer that keeps an
        allocated claim until it is deallocated) and the pod into reservedFor."""
        meta = pod["metadata"]
        consumer = {"resource": "pods", "name": meta["name"], "uid": meta["uid"]}

        def reserve(allocation: dict[str, Any] | None) -> Any:
            def change(claim: Obj) -> None:
                status = claim.setdefault("status", {})
                if allocation is not None:
                    status["allocation"] = allocation
                    finalizers = claim["metadata"].setdefault("finalizers", [])
                    if DELETE_PROTECTION not in finalizers:
                        finalizers.append(DELETE_PROTECTION)
                reserved = status.setdefault("reservedFor", [])
                if all(r.get("uid") != meta["uid"] for r in reserved):
                    reserved.append(consumer)
            return change

        try:
            for name, allocation in allocations.items():
                self._ctx.store.update(RESOURCECLAIM, meta["namespace"], name, reserve(allocation))
        except ApiError:  # a claim went away meanwhile: its event brings the pod back
            return False
        return True

    def _bind(self, pod: Obj, node: str) -> None:
        meta = pod["metadata"]

        def bind(obj: Obj) -> None:
            obj["spec"]["nodeName"] = node
            status = obj.setdefault("status", {})
            status.pop("nominatedNodeName", None)
            conditions = status.setdefault("conditions", [])
            set_condition(conditions, {"type": "PodScheduled", "status": "True", "lastProbeTime": None},
                          now_rfc3339())

        try:
            bound = self._ctx.store.update(POD, meta["namespace"], meta["name"], bind)
        except ApiError:
            return
        self._ctx.recorder.event(bound, "Normal", "Scheduled",
                                 f"Successfully assigned {meta['namespace']}/{meta['name']} to {node}",
                                 COMPONENT, action="Binding", instance=self._instance)


def _may_unblock(type: str, resource: str, obj: Obj, old: Obj | None) -> bool:
    """A node added or changed where placement looks, a claim made or bound, or devices published or freed."""
    if resource == NODE.key:
        return type != "MODIFIED" or _placement_changed(obj, old)
    if resource in (RESOURCECLAIM.key, RESOURCESLICE.key, DEVICECLASS.key):
        return True
    return resource == PVC.key and type != "DELETED"


def _placement_changed(node: Obj, old: Obj | None) -> bool:
    if old is None:
        return True
    status, old_status = node.get("status") or {}, old.get("status") or {}
    labels_changed = node["metadata"].get("labels") != old["metadata"].get("labels")
    return bool(node.get("spec") != old.get("spec") or labels_changed
                or status.get("allocatable") != old_status.get("allocatable"))


