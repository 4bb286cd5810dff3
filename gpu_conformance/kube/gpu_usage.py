"""Which GPUs of each node other pods hold now: one pod list for all nodes.

The suite's GPU pods (vectoradd, the isolation holders) need free GPUs: a node whose GPUs are held by others
cannot give them one, and the suite says so instead of waiting out its pods as unschedulable.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from gpu_conformance.facts.gpu_nodes import GpuNode, is_gpu_resource

from ..gpu_request import gpu_resource_for
from .client import Connection
from .pod_state import full_name


@dataclass(frozen=True)
class GpuUsage:
    """A node's GPU resource (the one its one-GPU pods ask for), how many are allocatable and held, and by whom."""

    resource: str
    allocatable: int
    used: int = 0
    holders: tuple[str, ...] = field(default=())  # namespace/name of the pods holding any GPU resource

    @property
    def free(self) -> int:
        return max(0, self.allocatable - self.used)

    def held_by(self, limit: int = 5) -> str:
        return ", ".join(sorted(set(self.holders))[:limit])


def gpu_usage(conn: Connection, nodes: list[GpuNode]) -> dict[str, GpuUsage]:
    """Node name -> its GPU usage by pods not yet Succeeded or Failed (their limits: GPUs are not overcommitted)."""
    names = {n.name for n in nodes}
    live = conn.core.list_pod_for_all_namespaces(field_selector="status.phase!=Succeeded,status.phase!=Failed")
    used: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    holders: dict[str, list[str]] = defaultdict(list)
    for pod in live.items:
        node = pod.spec.node_name
        if node not in names:
            continue
        for container in pod.spec.containers:
            limits = (container.resources.limits or {}) if container.resources else {}
            for resource, quantity in limits.items():
                if is_gpu_resource(resource) and str(quantity).isdigit() and int(quantity) > 0:
                    used[node][resource] += int(quantity)
                    holders[node].append(full_name(pod))
    usage = {}
    for node in nodes:
        resource = gpu_resource_for(node)
        usage[node.name] = GpuUsage(resource, node.allocatable.get(resource, 0), used[node.name][resource],
                                    tuple(holders[node.name]))
    return usage
