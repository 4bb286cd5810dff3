"""Whether a pod may go to a node: node affinity, taints and tolerations, resource requests.

The semantics follow k8s.io/component-helpers/scheduling/corev1 (node selector terms are ORed,
expressions within a term ANDed) and the TaintToleration plugin (only NoSchedule and NoExecute
taints filter).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..store import Obj
from .quantity import parse_quantity

_FILTERING_EFFECTS = ("NoSchedule", "NoExecute")


def _expression_matches(expr: dict[str, Any], value: str | None) -> bool:
    op, values = expr.get("operator"), expr.get("values") or []
    if op == "In":
        return value is not None and value in values
    if op == "NotIn":
        return value is None or value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in ("Gt", "Lt") and value is not None and value.lstrip("-").isdigit() and values:
        return int(value) > int(values[0]) if op == "Gt" else int(value) < int(values[0])
    return False


def _term_matches(term: dict[str, Any], node: Obj) -> bool:
    exprs, fields = term.get("matchExpressions") or [], term.get("matchFields") or []
    if not exprs and not fields:
        return False  # an empty term matches no objects
    node_labels = node["metadata"].get("labels") or {}
    if not all(_expression_matches(e, node_labels.get(e.get("key", ""))) for e in exprs):
        return False
    name = node["metadata"]["name"]
    return all(_expression_matches(f, name if f.get("key") == "metadata.name" else None) for f in fields)


def node_selector_matches(selector: dict[str, Any], node: Obj) -> bool:
    """A NodeSelector (terms ORed), as required node affinity and a PersistentVolume's nodeAffinity use it."""
    return any(_term_matches(term, node) for term in selector.get("nodeSelectorTerms") or [])


def node_affinity_matches(pod_spec: dict[str, Any], node: Obj) -> bool:
    """nodeSelector and required node affinity, as the NodeAffinity filter evaluates them."""
    node_labels = node["metadata"].get("labels") or {}
    for key, value in (pod_spec.get("nodeSelector") or {}).items():
        if node_labels.get(key) != value:
            return False
    required = ((pod_spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution")
    return not required or node_selector_matches(required, node)


def tolerates(toleration: dict[str, Any], taint: dict[str, Any]) -> bool:
    if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
        return False
    key = toleration.get("key", "")
    if key and key != taint.get("key"):
        return False
    if toleration.get("operator", "Equal") == "Exists":
        return True
    if not key:
        return False  # an empty key with Equal is invalid; it tolerates nothing
    return bool(toleration.get("value", "") == taint.get("value", ""))


def untolerated_taint(pod_spec: dict[str, Any], node: Obj) -> dict[str, Any] | None:
    """The first NoSchedule/NoExecute taint of the node that the pod does not tolerate."""
    tolerations = pod_spec.get("tolerations") or []
    for taint in (node.get("spec") or {}).get("taints") or []:
        if taint.get("effect") not in _FILTERING_EFFECTS:
            continue
        if not any(tolerates(t, taint) for t in tolerations):
            found: dict[str, Any] = taint
            return found
    return None


def pod_requests(pod_spec: dict[str, Any]) -> dict[str, Decimal]:
    """Effective requests: the sum over containers, or the largest init container's."""
    total: dict[str, Decimal] = {}
    for container in pod_spec.get("containers") or []:
        for name, value in _container_requests(container).items():
            total[name] = total.get(name, Decimal(0)) + value
    for container in pod_spec.get("initContainers") or []:
        for name, value in _container_requests(container).items():
            total[name] = max(total.get(name, Decimal(0)), value)
    return total


def _container_requests(container: dict[str, Any]) -> dict[str, Decimal]:
    resources = container.get("resources") or {}
    merged = {**(resources.get("limits") or {}), **(resources.get("requests") or {})}
    return {name: parse_quantity(value) for name, value in merged.items()}
