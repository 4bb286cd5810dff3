"""Validation of resource.k8s.io objects (v1 shape), as pkg/apis/resource/validation words it.

Only what clients meet in practice: drivers, pools and node selection of ResourceSlices, device names and
attribute values, device requests (``exactly`` or ``firstAvailable``, class, allocation mode), and the
immutable specs of claims and templates. Errors name v1 paths whatever version the request used, since the
apiserver validates its internal (v1-shaped) object. CEL expressions are not compiled here.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..resources import DEVICECLASS, RESOURCECLAIM, RESOURCECLAIMTEMPLATE, RESOURCESLICE, ResourceType
from .fielderrors import (
    SUBDOMAIN_MESSAGE,
    SUBDOMAIN_PATTERN,
    Cause,
    dns_label,
    dns_subdomain,
    invalid_value,
    required,
    unsupported,
)

Obj = dict[str, Any]

RESOURCE_KINDS = (DEVICECLASS, RESOURCESLICE, RESOURCECLAIM, RESOURCECLAIMTEMPLATE)
IMMUTABLE = "field is immutable"
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
                     r"(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$")
_ATTRIBUTE_TYPES = ("bool", "int", "string", "version")
_NODE_SELECTION = "exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required"
_REQUEST_KIND = "exactly one of `exactly` or `firstAvailable` is required"
_ALLOCATION_MODES = ("All", "ExactCount")
def _driver(field: str, driver: str) -> list[Cause]:
    """ValidateCSIDriverName: required, at most 63 characters, a subdomain once lower-cased."""
    causes = [] if driver else [required(field)]
    if len(driver) > 63:
        causes.append(("FieldValueTooLong", field, "Too long: may not be more than 63 bytes"))
    if not SUBDOMAIN_PATTERN.match(driver.lower()) or len(driver) > 253:
        causes.append(invalid_value(field, driver, SUBDOMAIN_MESSAGE))
    return causes


def _pool(pool: Obj) -> list[Cause]:
    name = str(pool.get("name") or "")
    causes = [required("spec.pool.name")] if not name else [
        c for part in name.split("/") for c in dns_subdomain("spec.pool.name", part)]
    count = pool.get("resourceSliceCount") or 0
    if count <= 0:
        causes.append(invalid_value("spec.pool.resourceSliceCount", count, "must be greater than zero"))
    if (pool.get("generation") or 0) < 0:
        causes.append(invalid_value("spec.pool.generation", pool["generation"],
                                    "must be greater than or equal to zero"))
    return causes


def _node_selection(spec: Obj) -> list[Cause]:
    causes: list[Cause] = []
    chosen: list[str] = []
    if "nodeName" in spec and spec["nodeName"] is not None:
        if spec["nodeName"]:
            chosen.append("`nodeName`")
        else:
            causes.append(invalid_value("spec.nodeName", "", "must be either unset or set to a non-empty string"))
    if spec.get("nodeSelector") is not None:
        chosen.append("`nodeSelector`")
    for flag in ("allNodes", "perDeviceNodeSelection"):
        if spec.get(flag) is True:
            chosen.append(f"`{flag}`")
        elif spec.get(flag) is False:
            causes.append(invalid_value(f"spec.{flag}", False, "must be either unset or set to true"))
    if not chosen:
        causes.append(required("spec", _NODE_SELECTION))
    elif len(chosen) > 1:
        causes.append(invalid_value("spec", "{" + ", ".join(chosen) + "}", _NODE_SELECTION +
                                    ", but multiple fields are set"))
    return causes


def _attribute(field: str, attribute: Any) -> list[Cause]:
    values = [t for t in _ATTRIBUTE_TYPES if isinstance(attribute, dict) and attribute.get(t) is not None]
    if len(values) != 1:
        return [invalid_value(field, "", "exactly one value must be specified")]
    if values[0] == "version" and not _SEMVER.match(str(attribute["version"])):
        return [invalid_value(f"{field}.version", attribute["version"],
                              "must be a string compatible with semver.org spec 2.0.0")]
    return []


def _devices(devices: list[Any]) -> list[Cause]:
    causes: list[Cause] = []
    seen: set[str] = set()
    for index, device in enumerate(devices):
        where = f"spec.devices[{index}]"
        name = str((device or {}).get("name") or "")
        causes += dns_label(f"{where}.name", name)
        if name in seen:
            causes.append(("FieldValueDuplicate", f"{where}.name", f'Duplicate value: "{name}"'))
        seen.add(name)
        for key, attribute in ((device or {}).get("attributes") or {}).items():
            causes += _attribute(f"{where}.attributes[{key}]", attribute)
    return causes


def _slice(spec: Obj) -> list[Cause]:
    return (_driver("spec.driver", str(spec.get("driver") or "")) + _pool(spec.get("pool") or {})
            + _node_selection(spec) + _devices(spec.get("devices") or []))


def _selectors(where: str, selectors: Any) -> list[Cause]:
    """Each selector needs its ``cel`` (the only kind there is); expressions are not compiled here."""
    return [required(f"{where}[{index}].cel") for index, selector in enumerate(selectors or [])
            if not (selector or {}).get("cel")]


def _exact(where: str, exact: Obj) -> list[Cause]:
    class_name = str(exact.get("deviceClassName") or "")
    causes = dns_subdomain(f"{where}.deviceClassName", class_name) if class_name else [
        required(f"{where}.deviceClassName")]
    causes += _selectors(f"{where}.selectors", exact.get("selectors"))
    mode, count = exact.get("allocationMode", ""), exact.get("count") or 0
    if mode == "All" and count:
        causes.append(invalid_value(f"{where}.count", count, "must not be specified when allocationMode is 'All'"))
    elif mode == "ExactCount" and count <= 0:
        causes.append(invalid_value(f"{where}.count", count, "must be greater than zero"))
    elif mode not in _ALLOCATION_MODES:
        causes.append(unsupported(f"{where}.allocationMode", str(mode), _ALLOCATION_MODES))
    return causes


def device_claim(path: str, devices: Obj) -> list[Cause]:
    """A claim's (or a template's claim's) ``devices``: each request exactly or firstAvailable."""
    causes: list[Cause] = []
    seen: set[str] = set()
    for index, request in enumerate(devices.get("requests") or []):
        where = f"{path}.requests[{index}]"
        name = str((request or {}).get("name") or "")
        causes += dns_label(f"{where}.name", name)
        if name in seen:
            causes.append(("FieldValueDuplicate", f"{where}.name", f'Duplicate value: "{name}"'))
        seen.add(name)
        exact, first = (request or {}).get("exactly"), (request or {}).get("firstAvailable") or []
        if exact is None and not first:
            causes.append(required(where, _REQUEST_KIND))
        elif exact is not None and first:
            causes.append(invalid_value(where, "null", _REQUEST_KIND + ", but multiple fields are set"))
        elif exact is not None:
            causes += _exact(f"{where}.exactly", exact)
        else:
            for sub_index, sub in enumerate(first):
                sub_where = f"{where}.firstAvailable[{sub_index}]"
                causes += dns_label(f"{sub_where}.name", str((sub or {}).get("name") or ""))
                causes += _exact(sub_where, sub or {})
    return causes


def causes(rt: ResourceType, obj: Obj) -> list[Cause]:
    """Field errors of a new or updated object of one of the four kinds."""
    spec = obj.get("spec") or {}
    if rt == RESOURCESLICE:
        return _slice(spec)
    if rt == RESOURCECLAIM:
        return device_claim("spec.devices", spec.get("devices") or {})
    if rt == RESOURCECLAIMTEMPLATE:
        return device_claim("spec.spec.devices", (spec.get("spec") or {}).get("devices") or {})
    return _selectors("spec.selectors", spec.get("selectors"))  # a DeviceClass


def update_causes(rt: ResourceType, old: Obj, new: Obj) -> list[Cause]:
    """Claims and templates keep their spec; a slice keeps its driver, pool name and node name.

    The apiserver prints the rejected spec as Go's ``%#v`` of its internal struct; this prints it as JSON.
    """
    old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
    if rt in (RESOURCECLAIM, RESOURCECLAIMTEMPLATE):
        if old_spec != new_spec:
            return [("FieldValueInvalid", "spec",
                     f"Invalid value: {json.dumps(new_spec, separators=(',', ':'))}: {IMMUTABLE}")]
        return []
    if rt != RESOURCESLICE:
        return []
    found: list[Cause] = []
    for field, old_value, new_value in (
        ("spec.pool.name", (old_spec.get("pool") or {}).get("name"), (new_spec.get("pool") or {}).get("name")),
        ("spec.driver", old_spec.get("driver"), new_spec.get("driver")),
        ("spec.nodeName", old_spec.get("nodeName"), new_spec.get("nodeName")),
    ):
        if old_value != new_value:
            found.append(invalid_value(field, new_value if new_value is not None else "null", IMMUTABLE))
    return found


def pod_claims(path: str, spec: Obj) -> list[Cause]:
    """A pod's ``resourceClaims`` names and the containers' ``resources.claims`` that must name one of them
    (validatePodResourceClaims, validateResourceClaimNames)."""
    causes: list[Cause] = []
    pod_claim_names: set[str] = set()
    for index, claim in enumerate(spec.get("resourceClaims") or []):
        name = str((claim or {}).get("name") or "")
        causes += dns_label(f"{path}.resourceClaims[{index}].name", name)
        pod_claim_names.add(name)
    listed = ", ".join(sorted(pod_claim_names))
    detail = f"must be one of the names in pod.spec.resourceClaims{': ' + listed if listed else ' which is empty'}"
    for key in ("initContainers", "containers"):
        for index, container in enumerate(spec.get(key) or []):
            seen: set[str] = set()
            for ref_index, ref in enumerate(((container or {}).get("resources") or {}).get("claims") or []):
                where, name = f"{path}.{key}[{index}].resources.claims[{ref_index}]", str((ref or {}).get("name") or "")
                if not name:
                    causes.append(required(where))
                    continue
                if name in seen:
                    causes.append(("FieldValueDuplicate", where, f'Duplicate value: "{name}"'))
                seen.add(name)
                if name not in pod_claim_names:
                    causes.append(("FieldValueNotFound", where, f'Not found: "{name}": {detail}'))
    return causes
