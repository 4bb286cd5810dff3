"""Printers for DeviceClasses, ResourceClaims, their templates and ResourceSlices (pkg/printers/internalversion)."""

from __future__ import annotations

from typing import Any

from .columns import Column, age_column, column, name_column
from .duration import since

Obj = dict[str, Any]

NAME_AGE_COLUMNS: list[Column] = [name_column(), age_column()]
CLAIM_COLUMNS: list[Column] = [
    name_column(),
    column("State", description="A summary of the current state (allocated, pending, reserved, etc.)."),
    age_column(),
]
SLICE_COLUMNS: list[Column] = [
    name_column(),
    column("Node", description="NodeName identifies the node which provides the resources in this pool. A field "
                               "selector can be used to list only ResourceSlice objects belonging to a certain "
                               "node.\n\nThis field can be used to limit access from nodes to ResourceSlices "
                               "with the same node name. It also indicates to autoscalers that adding new nodes "
                               "of the same type as some old node might also make new resources available.\n\n"
                               "Exactly one of NodeName, NodeSelector, AllNodes, and PerDeviceNodeSelection "
                               "must be set. This field is immutable."),
    column("Driver", description="Driver identifies the DRA driver providing the capacity information. A field "
                                 "selector can be used to list only ResourceSlice objects with a certain driver "
                                 "name.\n\nMust be a DNS subdomain and should end with a DNS domain owned by the "
                                 "vendor of the driver. It should use only lower case characters. This field is "
                                 "immutable."),
    column("Pool", description="Name is used to identify the pool. For node-local devices, this is often the node "
                               "name, but this is not required.\n\nIt must not be longer than 253 characters and "
                               "must consist of one or more DNS sub-domains separated by slashes. This field is "
                               "immutable."),
    age_column(),
]


def name_age_row(obj: Obj) -> list[Any]:
    return [obj["metadata"]["name"], since(obj["metadata"].get("creationTimestamp"))]


def claim_state(claim: Obj) -> str:
    """resourceClaimState: ``deleted`` while terminating, then ``pending`` or ``allocated[,reserved]``."""
    deleting = bool(claim["metadata"].get("deletionTimestamp"))
    status = claim.get("status") or {}
    states = ["deleted"] if deleting else []
    if status.get("allocation") is None:
        if not deleting:
            states.append("pending")
    else:
        states.append("allocated")
        if status.get("reservedFor"):
            states.append("reserved")
    return ",".join(states)


def claim_row(claim: Obj) -> list[Any]:
    return [claim["metadata"]["name"], claim_state(claim), since(claim["metadata"].get("creationTimestamp"))]


def slice_row(resource_slice: Obj) -> list[Any]:
    spec = resource_slice.get("spec") or {}
    return [resource_slice["metadata"]["name"], spec.get("nodeName") or "", spec.get("driver", ""),
            (spec.get("pool") or {}).get("name", ""), since(resource_slice["metadata"].get("creationTimestamp"))]
