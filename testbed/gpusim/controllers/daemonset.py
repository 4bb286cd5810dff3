"""daemonset-controller: one pod per eligible node, pinned by node affinity, and the DaemonSet status."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from ..resources import DAEMONSET, NODE, POD
from ..store import Obj, clone
from .base import Context, WorkQueue
from .objects import controlled_pods, controller_uid, delete, is_deleting, is_pod_ready, is_terminal, labels
from .placement import node_affinity_matches, tolerates
from .podcreate import PodCreator
from .podtemplate import pod_from_template

COMPONENT = "daemonset-controller"
_AUTO_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule"),
)


def daemon_pod_spec(template_spec: dict[str, Any], node: str | None) -> dict[str, Any]:
    """The template spec with the controller's automatic tolerations and, given a node, its pin."""
    spec: dict[str, Any] = clone(template_spec)
    tolerations = spec.setdefault("tolerations", [])
    extra = list(_AUTO_TOLERATIONS)
    if spec.get("hostNetwork"):
        extra.append(("node.kubernetes.io/network-unavailable", "NoSchedule"))
    for key, effect in extra:
        if not any(t.get("key") == key and t.get("effect") == effect and t.get("operator") == "Exists"
                   for t in tolerations):
            tolerations.append({"key": key, "operator": "Exists", "effect": effect})
    if node is not None:
        affinity = spec.setdefault("affinity", {}).setdefault("nodeAffinity", {})
        affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}
    return spec


def _untolerated(spec: dict[str, Any], node: Obj, effects: tuple[str, ...]) -> bool:
    tolerations = spec.get("tolerations") or []
    return any(t.get("effect") in effects and not any(tolerates(x, t) for x in tolerations)
               for t in (node.get("spec") or {}).get("taints") or [])


def should_run(spec: dict[str, Any], node: Obj) -> tuple[bool, bool]:
    """(should run a new pod, may keep an existing one) — NodeShouldRunDaemonPod.

    ``spec`` is the template's spec with the automatic tolerations (``daemon_pod_spec(..., None)``).
    """
    if not node_affinity_matches(spec, node):
        return False, False
    keep = not _untolerated(spec, node, ("NoExecute",))
    return keep and not _untolerated(spec, node, ("NoSchedule",)), keep


def target_node(pod: Obj) -> str | None:
    if pod["spec"].get("nodeName"):
        return str(pod["spec"]["nodeName"])
    required = ((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution") or {}
    for term in required.get("nodeSelectorTerms") or []:
        for field in term.get("matchFields") or []:
            if field.get("key") == "metadata.name" and field.get("values"):
                return str(field["values"][0])
    return None


def template_hash(template: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()
    return str(int(digest[:8], 16))[:10]


class DaemonSetController:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._queue = WorkQueue(ctx.clock, self._sync)
        self._pods_creator = PodCreator(ctx, COMPONENT, self._queue.add)

    def stop(self) -> None:
        return None

    def on_event(self, type: str, resource: str, obj: Obj, old: Obj | None) -> None:
        if resource == DAEMONSET.key:
            self._queue.add(obj["metadata"]["namespace"], obj["metadata"]["name"])
        elif resource == NODE.key:
            for ds in self._ctx.store.list(DAEMONSET)[0]:
                self._queue.add(ds["metadata"]["namespace"], ds["metadata"]["name"])
        elif resource == POD.key and controller_uid(obj):
            for ref in obj["metadata"].get("ownerReferences") or []:
                if ref.get("kind") == "DaemonSet" and ref.get("controller"):
                    self._queue.add(obj["metadata"]["namespace"], ref["name"])

    def _sync(self, namespace: str, name: str) -> None:
        store = self._ctx.store
        ds = store.find(DAEMONSET, namespace, name)
        if ds is None or is_deleting(ds):
            return
        uid = ds["metadata"]["uid"]
        pods = [p for p in controlled_pods(store, namespace, uid) if not is_deleting(p)]
        by_node: dict[str, list[Obj]] = {}
        for pod in pods:
            by_node.setdefault(target_node(pod) or "", []).append(pod)
        template = ds["spec"].get("template") or {}
        revision = template_hash(template)
        generation = str(ds["metadata"].get("generation", 1))
        counts = {"desired": 0, "current": 0, "misscheduled": 0, "ready": 0, "updated": 0}
        daemon_spec = daemon_pod_spec(template.get("spec") or {}, None)
        for node in store.list(NODE)[0]:
            node_name = node["metadata"]["name"]
            run, keep = should_run(daemon_spec, node)
            here = by_node.get(node_name, [])
            failed = [p for p in here if is_terminal(p) and p["status"].get("phase") == "Failed"]
            for pod in failed:
                self._delete(ds, pod)
            here = [p for p in here if p not in failed]
            if run:
                counts["desired"] += 1
                if not here and not failed:
                    self._create(ds, node_name, revision, generation)
                elif here:
                    counts["current"] += 1
                    counts["ready"] += is_pod_ready(here[0])
                    counts["updated"] += labels(here[0]).get("controller-revision-hash") == revision
            elif here and not keep:
                for pod in here:
                    self._delete(ds, pod)
            elif here:
                counts["misscheduled"] += 1
        self._write_status(ds, counts)

    def _create(self, ds: Obj, node: str, revision: str, generation: str) -> None:
        template = ds["spec"].get("template") or {}
        extra = {"controller-revision-hash": revision, "pod-template-generation": generation}
        pinned = {**template, "spec": daemon_pod_spec(template.get("spec") or {}, node)}
        self._pods_creator.create(ds, pod_from_template(ds, pinned, extra))

    def _delete(self, ds: Obj, pod: Obj) -> None:
        meta = pod["metadata"]
        delete(self._ctx.store, POD, meta["namespace"], meta["name"])
        self._ctx.recorder.event(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {meta['name']}", COMPONENT)

    def _write_status(self, ds: Obj, counts: dict[str, int]) -> None:
        optional = {  # omitempty fields of DaemonSetStatus
            "numberAvailable": counts["ready"], "updatedNumberScheduled": counts["updated"],
            "numberUnavailable": counts["desired"] - counts["ready"],
            "observedGeneration": ds["metadata"].get("generation", 1),
        }
        status = {
            "currentNumberScheduled": counts["current"], "desiredNumberScheduled": counts["desired"],
            "numberMisscheduled": counts["misscheduled"], "numberReady": counts["ready"],
            **{k: v for k, v in optional.items() if v},
        }
        if ds.get("status") != status:
            meta = ds["metadata"]
            self._ctx.store.update(DAEMONSET, meta["namespace"], meta["name"], _set_status(status))


def _set_status(status: dict[str, Any]) -> Callable[[Obj], None]:
    def apply(obj: Obj) -> None:
        obj["status"] = status

    return apply

