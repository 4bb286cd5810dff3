"""A node's ``workloads:``: pods of someone else's, already running there and holding GPUs."""

from __future__ import annotations

import json

from gpusim.model import Workload
from gpusim.scenario_yaml import Value

WORKLOAD_FIELDS = ("name", "namespace", "gpus")
DEFAULT_NAMESPACE = "default"


def parse_workloads(value: Value, devices: int) -> tuple[Workload, ...]:
    """Each entry a running pod; together they may hold at most the node's ``devices`` (healthy, allocatable)."""
    workloads: list[Workload] = []
    for item in value.items():
        fields = item.mapping(WORKLOAD_FIELDS)
        name_value = fields.require("name")
        workload = Workload(
            name=name_value.nonempty(),
            namespace=fields.read("namespace", Value.nonempty, DEFAULT_NAMESPACE),
            gpus=fields.require("gpus").integer(minimum=1),
        )
        if any((w.namespace, w.name) == (workload.namespace, workload.name) for w in workloads):
            raise name_value.error(f"duplicate workload {json.dumps(workload.name)} in {workload.namespace}")
        workloads.append(workload)
    held = sum(w.gpus for w in workloads)
    if held > devices:
        raise value.error(
            f"the workloads hold {held} GPUs but the node has {devices} allocatable: "
            "the rest would be Pending, not running"
        )
    return tuple(workloads)
