"""NODE-READY: the Ready condition as the kubelet and the node lifecycle controller leave it, in one line."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from gpu_conformance.checks import PRE_DRIVER
from gpu_conformance.facts.cluster import ProbeOutcome
from gpu_conformance.facts.gpu_nodes import NodeReadiness, gpu_node
from gpu_conformance.requirements.node_ready import node_ready
from gpu_conformance.requirements.wording import probe_unavailable

from .builders import gpu_node as built_node

WHERE = "node k8s-node05 status.conditions[type=Ready]"
UNREACHABLE = ({"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"},
               {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"})
SILENT = NodeReadiness("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.",
                       "2026-12-03T04:41:07Z", "2026-12-03T04:40:20Z")


@pytest.mark.parametrize(("readiness", "taints", "cordoned", "ok", "message"), [
    (NodeReadiness("True", "KubeletReady", "kubelet is posting ready status", "", "2026-12-03T04:40:20Z"), (),
     False, True, f"found Ready=True (KubeletReady, last heartbeat 2026-12-03T04:40:20Z) at {WHERE}"),
    (NodeReadiness("True", "KubeletReady"), (), True, True,
     f"found Ready=True (KubeletReady); cordoned (spec.unschedulable) at {WHERE}"),
    (SILENT, UNREACHABLE, False, False,
     "[NODE-READY] found Ready=Unknown (NodeStatusUnknown) since 2026-12-03T04:41:07Z: Kubelet stopped posting "
     "node status.; taints node.kubernetes.io/unreachable:NoSchedule, node.kubernetes.io/unreachable:NoExecute "
     f"at {WHERE}, expected Ready=True (the kubelet posting the node's status); fix: the kubelet on the node"),
    (NodeReadiness("False", "KubeletNotReady", "container runtime network not ready", "2026-12-03T04:00:00Z"),
     ({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"},), False, False,
     "[NODE-READY] found Ready=False (KubeletNotReady) since 2026-12-03T04:00:00Z: container runtime network not "
     "ready; taints node.kubernetes.io/not-ready:NoSchedule at"),
    (NodeReadiness(""), (), False, False,
     "[NODE-READY] found no Ready condition (no kubelet ever posted the node's status) at"),
])
def test_node_ready(readiness: NodeReadiness, taints: tuple[dict[str, str], ...], cordoned: bool, ok: bool,
                    message: str) -> None:
    node = dataclasses.replace(built_node(taints=taints), readiness=readiness, unschedulable=cordoned)
    verdict = node_ready(node)
    assert verdict.ok is ok and verdict.message.startswith(message), verdict.message


def test_every_message_about_a_silent_node_says_since_when() -> None:
    assert SILENT.not_ready("k8s-node06") == ("node k8s-node06 is NotReady since 2026-12-03T04:41:07Z (Ready=Unknown, "
                                              "NodeStatusUnknown: Kubelet stopped posting node status.)")


def test_the_ready_condition_is_read_from_the_api_objects() -> None:
    condition = {"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown",
                 "message": "Kubelet stopped posting node status.", "lastTransitionTime": "2026-12-03T04:41:07Z",
                 "lastHeartbeatTime": "2026-12-03T04:40:20Z"}
    node: dict[str, Any] = {"metadata": {"name": "k8s-node06", "labels": {"gpu-node": "true"}},
                            "status": {"conditions": [{"type": "MemoryPressure", "status": "Unknown"}, condition]}}
    found = gpu_node(node, matched_selector=False)
    assert found is not None and found.readiness == SILENT and not found.ready


def test_a_probe_that_could_not_run_on_a_not_ready_node_gives_no_image_hint() -> None:
    """Mirroring the probe image cannot help a node whose kubelet is down: the hint is left out."""
    down = ProbeOutcome("k8s-node06", None, f"{SILENT.not_ready('k8s-node06')}: its probe pod could not run there",
                        "probe pod gpu-conformance/probe-k8s-node06-abc123", node_not_ready=True)
    message = probe_unavailable(PRE_DRIVER, down, "the driver version").message
    assert "NotReady since 2026-12-03T04:41:07Z" in message and "hint:" not in message
    pulled = dataclasses.replace(down, error="probe image could not be pulled", node_not_ready=False)
    assert "hint: the probe runs --probe-image" in probe_unavailable(PRE_DRIVER, pulled, "the driver version").message
