"""Small helpers over API objects that several controllers need."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import ApiError
from ..resources import POD, ResourceType
from ..store import Obj, Store

TERMINAL_PHASES = ("Succeeded", "Failed")


def meta(obj: Obj) -> dict[str, Any]:
    result: dict[str, Any] = obj["metadata"]
    return result


def labels(obj: Obj) -> dict[str, str]:
    result: dict[str, str] = obj["metadata"].get("labels") or {}
    return result


def is_terminal(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") in TERMINAL_PHASES


def is_deleting(obj: Obj) -> bool:
    return bool(obj["metadata"].get("deletionTimestamp"))


def owner_reference(owner: Obj) -> dict[str, Any]:
    """A controller ownerReference, as workload controllers set it on what they create."""
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def controller_uid(obj: Obj) -> str | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            uid: str = ref["uid"]
            return uid
    return None


def controlled_pods(store: Store, namespace: str, uid: str) -> list[Obj]:
    """The pods in ``namespace`` whose controller is the object of ``uid``, by name (shared: do not modify)."""
    return [pod for (key, ns, _), pod in store.dependents(uid)
            if key == POD.key and ns == namespace and controller_uid(pod) == uid]


def condition(obj: Obj, type: str) -> dict[str, Any] | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == type:
            found: dict[str, Any] = cond
            return found
    return None


def is_pod_ready(pod: Obj) -> bool:
    cond = condition(pod, "Ready")
    return cond is not None and cond.get("status") == "True"


def set_condition(conditions: list[dict[str, Any]], new: dict[str, Any], now: str) -> None:
    """Replace or add a condition, keeping lastTransitionTime when the status did not change."""
    for i, cond in enumerate(conditions):
        if cond.get("type") == new["type"]:
            same = cond.get("status") == new["status"]
            merged = {**new, "lastTransitionTime": cond.get("lastTransitionTime") if same else now}
            if "lastProbeTime" in cond:
                merged["lastProbeTime"] = cond["lastProbeTime"]
            conditions[i] = merged
            return
    conditions.append({**new, "lastTransitionTime": now})


def delete(store: Store, rt: ResourceType, namespace: str, name: str, propagation: str | None = None) -> None:
    """Delete as the apiserver does for a controller's DELETE call.

    Bound, running pods get a graceful deletionTimestamp (the kubelet finishes them); objects
    with finalizers, or deleted with Foreground/Orphan propagation, get deletionTimestamp and
    the matching finalizer; anything else goes at once.
    """
    obj = store.find(rt, namespace, name)
    if obj is None or obj["metadata"].get("deletionTimestamp"):
        return
    finalizers = list(obj["metadata"].get("finalizers") or [])
    extra = {"Foreground": "foregroundDeletion", "Orphan": "orphan"}.get(propagation or "")
    if extra and extra not in finalizers:
        finalizers.append(extra)
    grace = 0
    if rt.key == "pods" and obj["spec"].get("nodeName") and not is_terminal(obj):
        grace = int(obj["spec"].get("terminationGracePeriodSeconds", 30))
    try:
        if not finalizers and grace == 0:
            store.delete(rt, namespace, name)
            return
        when = (datetime.now(UTC) + timedelta(seconds=grace)).strftime("%Y-%m-%dT%H:%M:%SZ")

        def mark(draft: Obj) -> None:
            draft["metadata"]["deletionTimestamp"] = when
            draft["metadata"]["deletionGracePeriodSeconds"] = grace
            draft["metadata"]["finalizers"] = finalizers

        store.update(rt, namespace, name, mark)
    except ApiError:
        return
