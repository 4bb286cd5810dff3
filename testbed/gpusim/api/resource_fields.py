"""Unknown fields where resource.k8s.io's versions differ, reported as the apiserver's field validation does.

A manifest written for another version is the usual mistake: ``basic`` in a v1 device, a flat device or
``exactly`` in v1beta1. The decoder drops such fields; ``fieldValidation=Strict`` (kubectl's default) makes
that a 400, ``Warn`` (the server's default) a warning, ``Ignore`` nothing. Only the fields that differ between
versions are checked here, not whole schemas.
"""

from __future__ import annotations

from typing import Any

from ..errors import bad_request
from ..resources import RESOURCECLAIM, RESOURCECLAIMTEMPLATE, RESOURCESLICE, ResourceType
from .resource_conversion import EXACT_FIELDS

Obj = dict[str, Any]

_V1_DEVICE = ("name", "attributes", "capacity", "consumesCounters", "nodeName", "nodeSelector", "allNodes",
              "taints", "bindsToNode", "bindingConditions", "bindingFailureConditions", "allowMultipleAllocations")
_DEVICE_FIELDS = {"v1beta1": ("name", "basic"), "v1beta2": _V1_DEVICE, "v1": _V1_DEVICE}
_V1_REQUEST = ("name", "exactly", "firstAvailable")
_REQUEST_FIELDS = {"v1beta1": ("name", "firstAvailable", *EXACT_FIELDS), "v1beta2": _V1_REQUEST, "v1": _V1_REQUEST}


def _unknown(items: Any, path: str, known: tuple[str, ...]) -> list[str]:
    if not isinstance(items, list):
        return []
    return [f"{path}[{i}].{key}" for i, item in enumerate(items) if isinstance(item, dict)
            for key in item if key not in known]


def unknown_fields(rt: ResourceType, version: str, obj: Obj) -> list[str]:
    """Paths of fields ``version`` of ``rt`` does not have, in the order of the body."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    if rt == RESOURCESLICE:
        return _unknown(spec.get("devices"), "spec.devices", _DEVICE_FIELDS[version])
    path = "spec.devices"
    if rt == RESOURCECLAIMTEMPLATE:
        spec, path = spec.get("spec"), "spec.spec.devices"
    elif rt != RESOURCECLAIM:
        return []
    devices = spec.get("devices") if isinstance(spec, dict) else None
    requests = devices.get("requests") if isinstance(devices, dict) else None
    return _unknown(requests, f"{path}.requests", _REQUEST_FIELDS[version])


def check(rt: ResourceType, version: str, obj: Obj, validation: str) -> list[str]:
    """Warnings to send for unknown fields; raises 400 under ``Strict``."""
    found = [f'unknown field "{path}"' for path in unknown_fields(rt, version, obj)]
    if not found or validation == "Ignore":
        return []
    if validation == "Strict":
        raise bad_request(f'{rt.kind} in version "{version}" cannot be handled as a {rt.kind}: '
                          f"strict decoding error: {', '.join(found)}")
    return found
