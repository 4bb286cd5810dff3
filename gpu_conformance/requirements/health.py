"""GPU health after day one: every GPU the node advertises can still be allocated.

NVIDIA's device plugin watches NVML for XidCriticalError events; on a critical Xid it logs
``XidCriticalError: Xid=79 on Device=GPU-...; marking device as unhealthy.`` (internal/rm/health.go) and
re-registers the GPU as Unhealthy: the kubelet keeps it in capacity and drops it from allocatable, until the plugin
restarts (NVIDIA/k8s-device-plugin#75, #234). Pods asking for all the node's GPUs then stay Pending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gpu_conformance.checks import HEALTH_ALLOCATABLE
from gpu_conformance.facts.cluster import PluginFacts, PluginPod
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.requirements.wording import node_field, plural
from gpu_conformance.verdict import Verdict
from gpu_conformance.xids import described

_XID_LINE = re.compile(r"^[IWEF](?P<month>\d{2})(?P<day>\d{2}) (?P<time>\d{2}:\d{2}:\d{2})\S*\s+\d+ [\w.-]+:\d+\] "
                       r"XidCriticalError: Xid=(?P<xid>\d+) on Device=(?P<device>[\w-]+); marking device as unhealthy")


@dataclass(frozen=True)
class UnhealthyMark:
    """A GPU the plugin's log says it marked unhealthy, with the Xid and when (klog's month-day time)."""

    device: str
    xid: int
    when: str

    def __str__(self) -> str:
        return f"{self.device} after {described(self.xid)} at {self.when}"


def unhealthy_marks(log: str) -> list[UnhealthyMark]:
    """Each device the log marks unhealthy, with the last Xid the log gives for it."""
    marks: dict[str, UnhealthyMark] = {}
    for line in log.splitlines():
        found = _XID_LINE.match(line.strip())
        if found:
            when = f"{found['month']}-{found['day']} {found['time']}"
            marks[found["device"]] = UnhealthyMark(found["device"], int(found["xid"]), when)
    return list(marks.values())


def _why(pods: tuple[PluginPod, ...]) -> tuple[str, str]:
    """(what the plugin's log says of the unhealthy GPUs, the fix naming its pod)."""
    if not pods:
        return ("no device plugin pod runs there to say which GPU is unhealthy",
                HEALTH_ALLOCATABLE.remediation.replace("then delete the plugin pod", "then restart the device plugin"))
    pod = pods[0]
    where = f"device plugin pod {pod.namespace}/{pod.name}"
    fix = HEALTH_ALLOCATABLE.remediation.replace("delete the plugin pod", f"`kubectl -n {pod.namespace} delete pod "
                                                                          f"{pod.name}`")
    marks = unhealthy_marks(pod.log_tail)
    if not marks:
        return (f"the log tail of {where} names no XidCriticalError (`kubectl -n {pod.namespace} logs {pod.name} | "
                "grep -i xid` reads all of it)", fix)
    return f"{where} marked {plural(len(marks), 'GPU')} unhealthy: " + "; ".join(map(str, marks)), fix


def allocatable_equals_capacity(node: GpuNode, plugin: PluginFacts | None) -> Verdict:
    """Each GPU resource's allocatable equals its capacity; a shortfall names the GPUs and Xids from the plugin's
    log (``plugin``: its facts, needed only where there is a shortfall)."""
    if not any(node.capacity.values()):
        return Verdict.skipped(HEALTH_ALLOCATABLE, f"node {node.name} advertises no GPU resource: see "
                                                   "CAPACITY-ADVERTISED")
    source = node_field(node.name, "status.capacity and status.allocatable")
    shortfall = node.allocatable_shortfall
    if not shortfall:
        counts = ", ".join(f"{name} {count}" for name, count in sorted(node.capacity.items()) if count)
        return Verdict.passed(HEALTH_ALLOCATABLE, f"allocatable equal to capacity ({counts})", source)
    found = "; ".join(f"{name} allocatable {allocatable} of capacity {capacity}"
                      for name, (capacity, allocatable) in shortfall.items())
    why, fix = _why(plugin.pods_on(node.name) if plugin is not None else ())
    return Verdict.failed(HEALTH_ALLOCATABLE, f"{found} ({why})", source,
                          "allocatable equal to capacity: every GPU the node advertises healthy", fix)
