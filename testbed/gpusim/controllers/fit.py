"""The scheduler's filter plugins for one (pod, node) pair, with their real failure wording.

Plugins run in the default profile's order and a node fails on the first plugin that rejects
it; each failure says whether preemption could resolve it (``Unschedulable``) or not
(``UnschedulableAndUnresolvable``), which decides the preemption half of the message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..store import Obj
from .placement import node_affinity_matches, pod_requests, untolerated_taint
from .quantity import parse_quantity

UNSCHEDULABLE_TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
AFFINITY_REASON = "node(s) didn't match Pod's node affinity/selector"
PREFILTER_REASON = "node(s) didn't satisfy plugin(s) [NodeAffinity]"
_STANDARD = ("cpu", "memory", "ephemeral-storage")


@dataclass(frozen=True)
class Rejection:
    reasons: tuple[str, ...]
    resolvable: bool  # True: Unschedulable (preemption may help); False: UnschedulableAndUnresolvable


def pinned_nodes(pod_spec: dict[str, Any]) -> set[str] | None:
    """Nodes named by a required ``matchFields metadata.name In`` term (NodeAffinity PreFilter)."""
    required = ((pod_spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution") or {}
    names: set[str] = set()
    for term in required.get("nodeSelectorTerms") or []:
        fields = [f for f in term.get("matchFields") or []
                  if f.get("key") == "metadata.name" and f.get("operator") == "In"]
        if not fields:
            return None
        names.update(fields[0].get("values") or [])
    return names or None


def _tolerates_unschedulable(pod_spec: dict[str, Any]) -> bool:
    node = {"spec": {"taints": [UNSCHEDULABLE_TAINT]}}
    return untolerated_taint(pod_spec, node) is None


def used_resources(pods: list[Obj]) -> dict[str, Decimal]:
    used: dict[str, Decimal] = {"pods": Decimal(len(pods))}
    for pod in pods:
        for name, value in pod_requests(pod["spec"]).items():
            used[name] = used.get(name, Decimal(0)) + value
    return used


def resources_fit(pod_spec: dict[str, Any], node: Obj, used: dict[str, Decimal],
                  capacity_unresolvable: bool = False) -> Rejection | None:
    """NodeResourcesFit: "Too many pods" and "Insufficient <resource>" against allocatable.

    From Kubernetes 1.34 (kubernetes#131345) a request larger than the node's whole allocatable
    is UnschedulableAndUnresolvable, so preemption calls that node "not helpful".
    """
    raw = (node.get("status") or {}).get("allocatable") or {}
    allocatable = {k: parse_quantity(v) for k, v in raw.items()}
    reasons: list[str] = []
    unresolvable = False
    if used.get("pods", Decimal(0)) + 1 > allocatable.get("pods", Decimal(0)):
        reasons.append("Too many pods")
    requests = pod_requests(pod_spec)
    ordered = [r for r in _STANDARD if r in requests] + sorted(r for r in requests if r not in _STANDARD)
    for name in ordered:
        want = requests[name]
        if want <= 0 or (name not in _STANDARD and not _is_extended(name)):
            continue
        have = allocatable.get(name, Decimal(0))
        if want > have - used.get(name, Decimal(0)):
            reasons.append(f"Insufficient {name}")
            unresolvable = unresolvable or (capacity_unresolvable and want > have)
    if not reasons:
        return None
    return Rejection(tuple(reasons), resolvable=not unresolvable)


def _is_extended(name: str) -> bool:
    return "/" in name and not name.startswith(("kubernetes.io/", "requests."))


def filter_node(pod_spec: dict[str, Any], node: Obj, used: Callable[[], dict[str, Decimal]],
                capacity_unresolvable: bool = False) -> Rejection | None:
    """Run NodeUnschedulable, TaintToleration, NodeAffinity and NodeResourcesFit in order. ``used`` sums what the
    node's pods request, asked only for a node the other filters let through: a pod pinned by a nodeSelector
    is not fitted against the pods of every other node."""
    if (node.get("spec") or {}).get("unschedulable") and not _tolerates_unschedulable(pod_spec):
        return Rejection(("node(s) were unschedulable",), resolvable=False)
    taint = untolerated_taint(pod_spec, node)
    if taint is not None:
        reason = f"node(s) had untolerated taint {{{taint.get('key', '')}: {taint.get('value', '')}}}"
        return Rejection((reason,), resolvable=False)
    if not node_affinity_matches(pod_spec, node):
        return Rejection((AFFINITY_REASON,), resolvable=False)
    return resources_fit(pod_spec, node, used(), capacity_unresolvable)


def histogram(reasons: list[str]) -> str:
    """FitError's reason histogram: "N reason" strings sorted as strings, comma separated."""
    counts: dict[str, int] = {}
    for reason in reasons:
        counts[reason] = counts.get(reason, 0) + 1
    return ", ".join(sorted(f"{n} {reason}" for reason, n in counts.items()))


def fit_error(total: int, reasons: list[str], preemption: list[str] | None,
              prefilter_message: str = "") -> str:
    """FitError.Error(): a PreFilter failure's message replaces the per-node reason histogram."""
    message = f"0/{total} nodes are available: {prefilter_message or histogram(reasons)}."
    if preemption is not None:
        message += f" preemption: 0/{total} nodes are available: {histogram(preemption)}."
    return message
