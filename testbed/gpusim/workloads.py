"""Pods that are not the suite's, already bound to their nodes and holding GPUs when the cluster starts.

Each is a long-running training container limited to its GPUs (``nvidia.com/gpu``, or
``nvidia.com/gpu.shared`` where the plugin renames shared GPUs); the kubelet runs it like any pod
and the device manager gives it its GPUs, so the scheduler finds them taken.
"""

from __future__ import annotations

from . import defaults
from .model import NodeSpec, Scenario, Workload
from .namespaces import ensure_namespace
from .resources import POD
from .store import Obj, Store

IMAGE = "nvcr.io/nvidia/pytorch:24.01-py3"


def _pod(node: NodeSpec, workload: Workload) -> Obj:
    resource = node.sharing.resource if node.sharing is not None else "nvidia.com/gpu"
    pod: Obj = {
        "metadata": {
            "name": workload.name,
            "namespace": workload.namespace,
            "labels": {"app": workload.name},
        },
        "spec": {
            "nodeName": node.name,
            "restartPolicy": "Always",
            "containers": [
                {
                    "name": "train",
                    "image": IMAGE,
                    "command": ["sleep", "infinity"],
                    "resources": {"limits": {resource: str(workload.gpus)}},
                }
            ],
        },
    }
    defaults.apply_defaults(POD, pod, creating=True)
    return pod


def create_workloads(store: Store, scenario: Scenario) -> None:
    for node in scenario.nodes:
        for workload in node.workloads:
            ensure_namespace(store, workload.namespace)
            store.create(POD, _pod(node, workload))
