"""NODE-READY, first in the chain: a GPU node whose kubelet does not post its status runs no pod.

The node lifecycle controller turns Ready to Unknown once the kubelet has been silent for the node monitor
grace period and taints the node ``node.kubernetes.io/unreachable``; a kubelet that reports a problem sets
Ready=False (``node.kubernetes.io/not-ready``). Either way the checks that need a pod there are blocked by
this one instead of waiting out --pod-timeout. A cordon is said, not failed: the gate holds nodes cordoned.
"""

from __future__ import annotations

from gpu_conformance.checks import NODE_READY
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.requirements.wording import node_field
from gpu_conformance.verdict import Verdict

LIFECYCLE_TAINTS = "node.kubernetes.io/"


def node_ready(node: GpuNode) -> Verdict:
    readiness = node.readiness
    source = node_field(node.name, "status.conditions[type=Ready]")
    notes = [f"{t['key']}:{t['effect']}" for t in node.taints if t.get("key", "").startswith(LIFECYCLE_TAINTS)]
    taints = f"; taints {', '.join(notes)}" if notes else ""
    cordon = "; cordoned (spec.unschedulable)" if node.unschedulable else ""
    if readiness.ready:
        heartbeat = f", last heartbeat {readiness.heartbeat}" if readiness.heartbeat else ""
        return Verdict.passed(NODE_READY, f"Ready=True ({readiness.reason}{heartbeat}){taints}{cordon}", source)
    if not readiness.status:
        found = "no Ready condition (no kubelet ever posted the node's status)"
    else:
        reason = f" ({readiness.reason})" if readiness.reason else ""
        since = f" since {readiness.since}" if readiness.since else ""
        message = f": {readiness.message}" if readiness.message else ""
        found = f"Ready={readiness.status}{reason}{since}{message}"
    return Verdict.failed(NODE_READY, found + taints + cordon, source, "Ready=True (the kubelet posting the node's "
                                                                      "status)")
