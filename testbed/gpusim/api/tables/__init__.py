"""Server-side printing: ``meta.k8s.io/v1`` Tables for ``kubectl get``, column for column as the apiserver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...resources import (
    CLUSTERROLE,
    CLUSTERROLEBINDING,
    CONFIGMAP,
    CRONJOB,
    DAEMONSET,
    DEVICECLASS,
    ENDPOINTS,
    EVENT,
    JOB,
    LEASE,
    NAMESPACE,
    NODE,
    POD,
    PV,
    PVC,
    RESOURCECLAIM,
    RESOURCECLAIMTEMPLATE,
    RESOURCESLICE,
    ROLE,
    ROLEBINDING,
    RUNTIMECLASS,
    SERVICE,
    SERVICEACCOUNT,
    STORAGECLASS,
    ResourceType,
)
from ..messages import Request
from . import core, nodes, pods, rbac, resource, storage, workloads
from .columns import Column, column, name_column

Obj = dict[str, Any]
RowPrinter = Callable[[Obj], tuple[list[Any], list[Obj] | None]]


def _plain(printer: Callable[[Obj], list[Any]]) -> RowPrinter:
    return lambda obj: (printer(obj), None)


PRINTERS: dict[str, tuple[list[Column], RowPrinter]] = {
    POD.key: (pods.COLUMNS, pods.pod_row),
    NODE.key: (nodes.COLUMNS, _plain(nodes.node_row)),
    EVENT.key: (core.EVENT_COLUMNS, _plain(core.event_row)),
    NAMESPACE.key: (core.NAMESPACE_COLUMNS, _plain(core.namespace_row)),
    SERVICE.key: (core.SERVICE_COLUMNS, _plain(core.service_row)),
    ENDPOINTS.key: (core.ENDPOINTS_COLUMNS, _plain(core.endpoints_row)),
    CONFIGMAP.key: (core.CONFIGMAP_COLUMNS, _plain(core.configmap_row)),
    SERVICEACCOUNT.key: (core.SERVICEACCOUNT_COLUMNS, _plain(core.serviceaccount_row)),
    RUNTIMECLASS.key: (core.RUNTIMECLASS_COLUMNS, _plain(core.runtimeclass_row)),
    DAEMONSET.key: (workloads.DAEMONSET_COLUMNS, _plain(workloads.daemonset_row)),
    JOB.key: (workloads.JOB_COLUMNS, _plain(workloads.job_row)),
    CRONJOB.key: (workloads.CRONJOB_COLUMNS, _plain(workloads.cronjob_row)),
    LEASE.key: (core.LEASE_COLUMNS, _plain(core.lease_row)),
    PVC.key: (storage.PVC_COLUMNS, _plain(storage.pvc_row)),
    PV.key: (storage.PV_COLUMNS, _plain(storage.pv_row)),
    STORAGECLASS.key: (storage.STORAGECLASS_COLUMNS, _plain(storage.storageclass_row)),
    ROLE.key: (rbac.ROLE_COLUMNS, _plain(rbac.role_row)),
    CLUSTERROLE.key: (rbac.ROLE_COLUMNS, _plain(rbac.role_row)),
    ROLEBINDING.key: (rbac.BINDING_COLUMNS, _plain(rbac.binding_row)),
    CLUSTERROLEBINDING.key: (rbac.BINDING_COLUMNS, _plain(rbac.binding_row)),
    DEVICECLASS.key: (resource.NAME_AGE_COLUMNS, _plain(resource.name_age_row)),
    RESOURCECLAIM.key: (resource.CLAIM_COLUMNS, _plain(resource.claim_row)),
    RESOURCECLAIMTEMPLATE.key: (resource.NAME_AGE_COLUMNS, _plain(resource.name_age_row)),
    RESOURCESLICE.key: (resource.SLICE_COLUMNS, _plain(resource.slice_row)),
}
# The generic table convertor's columns, for kinds without a printer.
DEFAULT_COLUMNS = [
    name_column(),
    column(
        "Created At",
        "date",
        description="CreationTimestamp is a timestamp "
        "representing the server time when this object was created.",
    ),
]


def wanted(req: Request) -> bool:
    """Whether the Accept header asks for ``as=Table`` (kubectl get with human-readable output)."""
    return "as=Table" in req.header("accept")


def _row_object(obj: Obj, include: str) -> Obj | None:
    if include == "Object":
        return obj
    if include == "None":
        return None
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}


def table(rt: ResourceType, objects: list[Obj], req: Request, resource_version: str) -> Obj:
    include = req.query.get("includeObject") or "Metadata"
    columns, printer = PRINTERS.get(rt.key, (DEFAULT_COLUMNS, None))
    rows = []
    for obj in objects:
        if printer is None:
            cells: list[Any] = [obj["metadata"]["name"], obj["metadata"].get("creationTimestamp", "")]
            conditions = None
        else:
            cells, conditions = printer(obj)
        row: Obj = {"cells": cells}
        if conditions:
            row["conditions"] = conditions
        shown = _row_object(obj, include)
        if shown is not None:
            row["object"] = shown
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": columns,
        "rows": rows,
    }
