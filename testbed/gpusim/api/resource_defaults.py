"""Defaults the apiserver fills in resource.k8s.io objects (pkg/apis/resource/v1/defaults.go, the strategies).

A request counts ``ExactCount`` of one device unless it says otherwise; a toleration's operator is ``Equal``;
a device taint gets the time it was added; capacities are written as canonical quantities; a new claim starts
without status (the strategy's PrepareForCreate: only the status subresource writes it). Where DRA is off,
pods lose their claims.
"""

from __future__ import annotations

from typing import Any

from ..quantities import canonical_quantity
from ..resources import CRONJOB, DAEMONSET, JOB, POD, RESOURCECLAIM, RESOURCECLAIMTEMPLATE, RESOURCESLICE, ResourceType
from ..store import now_rfc3339

Obj = dict[str, Any]


def _exact(request: Obj) -> None:
    """SetDefaults_ExactDeviceRequest and SetDefaults_DeviceSubRequest."""
    request.setdefault("allocationMode", "ExactCount")
    if request["allocationMode"] == "ExactCount" and not request.get("count"):
        request["count"] = 1
    for toleration in request.get("tolerations") or []:
        if isinstance(toleration, dict) and not toleration.get("operator"):
            toleration["operator"] = "Equal"


def _device_claim(devices: Any) -> None:
    for request in devices.get("requests") or [] if isinstance(devices, dict) else []:
        if not isinstance(request, dict):
            continue
        if isinstance(request.get("exactly"), dict):
            _exact(request["exactly"])
        for sub in request.get("firstAvailable") or []:
            if isinstance(sub, dict):
                _exact(sub)


def _slice(spec: Obj) -> None:
    for device in spec.get("devices") or []:
        if not isinstance(device, dict):
            continue
        for capacity in (device.get("capacity") or {}).values():
            if isinstance(capacity, dict) and (text := canonical_quantity(capacity.get("value"))) is not None:
                capacity["value"] = text
        for taint in device.get("taints") or []:
            if isinstance(taint, dict):
                taint.setdefault("timeAdded", now_rfc3339())


def apply(rt: ResourceType, obj: Obj, *, creating: bool) -> None:
    """Fill the defaults of a resource.k8s.io object in place; other kinds are left alone."""
    if creating and rt == RESOURCECLAIM:
        obj.pop("status", None)
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    if rt == RESOURCECLAIM:
        _device_claim(spec.get("devices"))
    elif rt == RESOURCECLAIMTEMPLATE:
        _device_claim((spec.get("spec") or {}).get("devices"))
    elif rt == RESOURCESLICE:
        _slice(spec)


def _pod_spec(rt: ResourceType, obj: Obj) -> Any:
    spec = obj.get("spec") or {}
    if rt == CRONJOB:
        spec = ((spec.get("jobTemplate") or {}).get("spec") or {})
    if rt in (JOB, DAEMONSET, CRONJOB):
        spec = (spec.get("template") or {}).get("spec") or {}
    return spec if rt in (POD, JOB, DAEMONSET, CRONJOB) else None


def drop_claims_without_dra(rt: ResourceType, obj: Obj) -> None:
    """dropDisabledDynamicResourceAllocationFields: where DynamicResourceAllocation is off (the cluster serves no
    resource.k8s.io), a pod's ``resourceClaims`` and its containers' ``resources.claims`` are silently dropped."""
    spec = _pod_spec(rt, obj)
    if not isinstance(spec, dict):
        return
    spec.pop("resourceClaims", None)
    for key in ("initContainers", "containers"):
        for container in spec.get(key) or []:
            if isinstance(container, dict) and isinstance(container.get("resources"), dict):
                container["resources"].pop("claims", None)
