"""The scheduler's VolumeBinding plugin, for PersistentVolumeClaims.

PreFilter refuses a pod whose claim is missing or being deleted (``persistentvolumeclaim "x" not
found``) and one with an unbound claim that binds immediately. Filter keeps a pod on the node its
bound local volumes live on (``node(s) had volume node affinity conflict``). A pod with unbound
WaitForFirstConsumer claims is not bound yet: the scheduler records the chosen node on each claim
(``volume.kubernetes.io/selected-node``), the provisioner makes the volume there and the pod is
bound once its claims are.
"""

from __future__ import annotations

from typing import Any

from ..resources import PV, PVC, STORAGECLASS
from ..store import Obj, Store
from .placement import node_selector_matches

SELECTED_NODE = "volume.kubernetes.io/selected-node"
AFFINITY_CONFLICT = "node(s) had volume node affinity conflict"


def claim_names(pod_spec: dict[str, Any]) -> list[str]:
    return [v["persistentVolumeClaim"].get("claimName", "") for v in pod_spec.get("volumes") or []
            if v.get("persistentVolumeClaim")]


def waits_for_consumer(store: Store, claim: Obj) -> bool:
    name = (claim.get("spec") or {}).get("storageClassName") or ""
    sc = store.find(STORAGECLASS, "", name) if name else None
    return sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer"


def _claims(store: Store, pod: Obj) -> list[tuple[str, Obj | None]]:
    namespace = pod["metadata"]["namespace"]
    return [(name, store.find(PVC, namespace, name)) for name in claim_names(pod["spec"])]


def prefilter(store: Store, pod: Obj) -> str | None:
    """The PreFilter failure message, or None when the pod's claims allow scheduling."""
    immediate_unbound = False
    for name, claim in _claims(store, pod):
        if claim is None:
            return f'persistentvolumeclaim "{name}" not found'
        if claim["metadata"].get("deletionTimestamp"):
            return f'persistentvolumeclaim "{name}" is being deleted'
        if not claim["spec"].get("volumeName") and not waits_for_consumer(store, claim):
            immediate_unbound = True
    return "pod has unbound immediate PersistentVolumeClaims" if immediate_unbound else None


def node_conflict(store: Store, pod: Obj, node: Obj) -> str | None:
    """Filter: a bound claim's volume must be reachable from ``node`` (its PV's nodeAffinity)."""
    for _, claim in _claims(store, pod):
        volume_name = (claim or {}).get("spec", {}).get("volumeName")
        volume = store.find(PV, "", volume_name) if volume_name else None
        required = ((volume or {}).get("spec", {}).get("nodeAffinity") or {}).get("required")
        if required and not node_selector_matches(required, node):
            return AFFINITY_CONFLICT
    return None


def unbound_waiting(store: Store, pod: Obj) -> list[Obj]:
    """The pod's WaitForFirstConsumer claims that are not bound yet."""
    return [claim for _, claim in _claims(store, pod)
            if claim is not None and not claim["spec"].get("volumeName") and waits_for_consumer(store, claim)]


def select_node(store: Store, claims: list[Obj], node: str) -> None:
    """AssumePodVolumes and PreBind: tell the provisioner where the pod goes."""
    for claim in claims:
        if (claim["metadata"].get("annotations") or {}).get(SELECTED_NODE) == node:
            continue

        def annotate(obj: Obj) -> None:
            obj["metadata"].setdefault("annotations", {})[SELECTED_NODE] = node

        store.update(PVC, claim["metadata"]["namespace"], claim["metadata"]["name"], annotate)
