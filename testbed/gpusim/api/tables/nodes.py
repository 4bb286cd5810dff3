"""The node printer: STATUS from the Ready condition and cordoning, ROLES from node-role labels."""

from __future__ import annotations

from typing import Any

from .columns import Column, age_column, column, name_column
from .duration import since

Obj = dict[str, Any]

COLUMNS: list[Column] = [
    name_column(),
    column("Status", description="The status of the node"),
    column("Roles", description="The roles of the node"),
    age_column(),
    column("Version", description="Kubelet Version reported by the node."),
    column(
        "Internal-IP",
        priority=1,
        description="List of addresses reachable to the node. Queried from cloud provider, if available.",
    ),
    column(
        "External-IP",
        priority=1,
        description="List of addresses reachable to the node. Queried from cloud provider, if available.",
    ),
    column(
        "OS-Image",
        priority=1,
        description="OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
    ),
    column(
        "Kernel-Version",
        priority=1,
        description="Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
    ),
    column(
        "Container-Runtime",
        priority=1,
        description="ContainerRuntime Version reported by the node through "
        "runtime remote API (e.g. containerd://1.4.2).",
    ),
]

ROLE_PREFIX = "node-role.kubernetes.io/"


def node_roles(labels: dict[str, str]) -> str:
    roles = set()
    for key, value in labels.items():
        if key.startswith(ROLE_PREFIX):
            role = key[len(ROLE_PREFIX) :]
            if role:
                roles.add(role)
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return ",".join(sorted(roles)) or "<none>"


def _address(status: Obj, kind: str) -> str:
    for address in status.get("addresses") or []:
        if address.get("type") == kind:
            return str(address.get("address", ""))
    return "<none>"


def node_row(node: Obj) -> list[Any]:
    meta, spec, status = node["metadata"], node.get("spec") or {}, node.get("status") or {}
    states = [
        ("Ready" if c.get("status") == "True" else "NotReady")
        for c in status.get("conditions") or []
        if c.get("type") == "Ready"
    ][:1] or ["Unknown"]
    if spec.get("unschedulable"):
        states.append("SchedulingDisabled")
    info = status.get("nodeInfo") or {}
    return [
        meta["name"],
        ",".join(states),
        node_roles(meta.get("labels") or {}),
        since(meta.get("creationTimestamp")),
        info.get("kubeletVersion", ""),
        _address(status, "InternalIP"),
        _address(status, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]
