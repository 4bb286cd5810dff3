"""Does a DaemonSet's node selection take a node? If not, the one rule the node's labels break, in words.

Kubernetes places a DaemonSet pod on a node only if the node's labels meet every ``nodeSelector`` pair and at
least one term of the required node affinity (every requirement of that term). Naming the rule and the label the
node actually has (``nvidia.com/gpu.deploy.device-plugin=false``) is what tells a person what to change.
"""

from __future__ import annotations

from collections.abc import Mapping

from gpu_conformance.facts.cluster import NodeRequirement, PluginDaemonSet

Mismatch = tuple[str, str | None]  # what is broken, in words; a KEY=VALUE label that would mend it, if one would


def placement_mismatch(daemonset: PluginDaemonSet, labels: Mapping[str, str]) -> Mismatch | None:
    """The first rule of ``daemonset``'s node selection that ``labels`` break; None when they meet it all."""
    for key, value in daemonset.node_selector:
        if labels.get(key) != value:
            return f"its nodeSelector wants {key}={value}, the node has {_label(labels, key)}", f"{key}={value}"
    terms = daemonset.affinity_terms
    if not terms or any(all(meets(r, labels) for r in term) for term in terms):
        return None
    broken = [next(r for r in term if not meets(r, labels)) for term in terms]
    wants = " or ".join(requirement_text(r) for r in broken)
    has = ", ".join(dict.fromkeys(_label(labels, r.key) for r in broken))
    first = broken[0]
    label = f"{first.key}={first.values[0]}" if first.operator == "In" and len(first.values) == 1 else None
    return f"its required node affinity wants {wants}, the node has {has}", label


def meets(requirement: NodeRequirement, labels: Mapping[str, str]) -> bool:
    """A matchExpression against a node's labels, as the scheduler's NodeAffinity plugin evaluates it."""
    key, operator, values = requirement.key, requirement.operator, requirement.values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    if operator == "NotIn":
        return labels.get(key) not in values
    if key not in labels:
        return False
    if operator == "In":
        return labels[key] in values
    try:  # Gt, Lt: the label and the one value are integers
        label, bound = int(labels[key]), int(values[0])
    except (ValueError, IndexError):
        return False
    return label > bound if operator == "Gt" else label < bound


def requirement_text(requirement: NodeRequirement) -> str:
    values = ",".join(requirement.values)
    if requirement.operator in ("Exists", "DoesNotExist"):
        return f"{requirement.key} {requirement.operator}"
    if requirement.operator in ("Gt", "Lt"):
        return f"{requirement.key} {'>' if requirement.operator == 'Gt' else '<'} {values}"
    return f"{requirement.key} {requirement.operator.lower()} ({values})"


def _label(labels: Mapping[str, str], key: str) -> str:
    return f"{key}={labels[key]}" if key in labels else f"no label {key}"
