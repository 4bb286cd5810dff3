"""resource.k8s.io v1beta1 <-> v1, as kube-apiserver converts (pkg/apis/resource/v1beta1/conversion.go).

The store keeps the v1 shape; v1beta2 has the same shape as v1, so only v1beta1 differs:

- a Device carries everything but its name under ``basic`` (v1: flat); a v1 Device always gets a ``basic``;
- a DeviceRequest has the fields of v1's ``exactly`` at its top (deviceClassName, selectors, allocationMode,
  count, adminAccess, tolerations, capacity); any of them set makes a v1 ``exactly``;
- a ResourceSlice's ``spec.nodeName`` and ``spec.allNodes`` are plain values that leave out ``""`` and ``false``
  (v1: pointers, so a v1 slice may carry them explicitly).

ResourceClaim status, DeviceClass and everything else have the same fields in every version.
"""

from __future__ import annotations

from typing import Any

from ..resources import RESOURCECLAIM, RESOURCECLAIMTEMPLATE, RESOURCESLICE, ResourceType

Obj = dict[str, Any]

# ExactDeviceRequest's fields, which v1beta1's DeviceRequest has at its top.
EXACT_FIELDS = ("deviceClassName", "selectors", "allocationMode", "count", "adminAccess", "tolerations",
                "capacity")
_PLAIN_VALUES = {"deviceClassName": "", "allocationMode": "", "count": 0}  # Go values, unset when zero


def _is_set(field: str, value: Any) -> bool:
    """Set as Go sees it: a plain value when not zero, a pointer or slice when present (even false, empty)."""
    return value is not None and value != _PLAIN_VALUES.get(field)


def _requests(rt: ResourceType, obj: Obj) -> list[Obj]:
    """The DeviceRequests of a claim or a claim template (in place, to convert them)."""
    spec = obj.get("spec")
    if rt == RESOURCECLAIMTEMPLATE:
        spec = (spec or {}).get("spec")
    devices = (spec or {}).get("devices") if isinstance(spec, dict) else None
    requests = devices.get("requests") if isinstance(devices, dict) else None
    return [r for r in requests if isinstance(r, dict)] if isinstance(requests, list) else []


def _devices(obj: Obj) -> list[Obj]:
    devices = (obj.get("spec") or {}).get("devices")
    return [d for d in devices if isinstance(d, dict)] if isinstance(devices, list) else []


def request_from_v1beta1(request: Obj) -> None:
    """hasAnyMainRequestFieldsSet: any main field set makes ``exactly`` (invalid ones fail validation)."""
    request.pop("exactly", None)  # not a v1beta1 field
    exact = {f: v for f in EXACT_FIELDS if _is_set(f, v := request.pop(f, None))}
    if exact:
        request["exactly"] = exact


def request_to_v1beta1(request: Obj) -> None:
    exact = request.pop("exactly", None)
    if isinstance(exact, dict):
        request.update({f: exact[f] for f in EXACT_FIELDS if f in exact})


def device_from_v1beta1(device: Obj) -> None:
    basic = device.pop("basic", None)
    for key in [k for k in device if k != "name"]:
        del device[key]  # v1beta1 has nothing else beside the name; composite devices were never served
    if isinstance(basic, dict):
        device.update(basic)


def device_to_v1beta1(device: Obj) -> None:
    basic = {k: device.pop(k) for k in [k for k in device if k != "name"]}
    device["basic"] = basic


def _omit_empty_node_fields(spec: Obj) -> None:
    """v1beta1's plain ``nodeName`` and ``allNodes`` leave out ``""`` and ``false`` (v1's pointers keep them)."""
    if spec.get("nodeName") == "":
        del spec["nodeName"]
    if spec.get("allNodes") is False:
        del spec["allNodes"]


def to_v1(rt: ResourceType, obj: Obj) -> None:
    """A v1beta1 object of ``rt`` into the v1 shape, in place."""
    if rt == RESOURCESLICE:
        _omit_empty_node_fields(obj.get("spec") or {})
        for device in _devices(obj):
            device_from_v1beta1(device)
    elif rt in (RESOURCECLAIM, RESOURCECLAIMTEMPLATE):
        for request in _requests(rt, obj):
            request_from_v1beta1(request)


def to_v1beta1(rt: ResourceType, obj: Obj) -> None:
    """A v1 object of ``rt`` into the v1beta1 shape, in place."""
    if rt == RESOURCESLICE:
        _omit_empty_node_fields(obj.get("spec") or {})
        for device in _devices(obj):
            device_to_v1beta1(device)
    elif rt in (RESOURCECLAIM, RESOURCECLAIMTEMPLATE):
        for request in _requests(rt, obj):
            request_to_v1beta1(request)
