"""Validation of created and updated objects, failing with the apiserver's field errors (422 Invalid)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import invalid
from ..resources import DAEMONSET, JOB, NAMESPACE, POD, PVC, ResourceType
from . import validation_rbac, validation_resource
from .fielderrors import Cause, dns_label, dns_subdomain, invalid_value, required, unsupported

Obj = dict[str, Any]

POD_UPDATE_FORBIDDEN = (
    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
    "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)
_NATIVE_PREFIXES = ("kubernetes.io/", "requests.")


def _name(field: str, name: str, label: bool) -> list[Cause]:
    return dns_label(field, name) if label else dns_subdomain(field, name)


def _quantity(text: Any) -> Decimal | None:
    match = re.fullmatch(r"([0-9.]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?", str(text))
    if not match:
        return None
    scale = {
        "m": Decimal("0.001"),
        "k": Decimal(10**3),
        "M": Decimal(10**6),
        "G": Decimal(10**9),
        "T": Decimal(10**12),
        "P": Decimal(10**15),
        "E": Decimal(10**18),
        "Ki": Decimal(2**10),
        "Mi": Decimal(2**20),
        "Gi": Decimal(2**30),
        "Ti": Decimal(2**40),
        "Pi": Decimal(2**50),
        "Ei": Decimal(2**60),
    }
    try:
        return Decimal(match.group(1)) * scale.get(match.group(2) or "", Decimal(1))
    except InvalidOperation:
        return None


def _is_extended(resource: str) -> bool:
    """Extended resources (e.g. ``nvidia.com/gpu``): integers only, and not overcommitable."""
    return "/" in resource and not resource.startswith(_NATIVE_PREFIXES)


def _resources(path: str, resources: Obj) -> list[Cause]:
    causes: list[Cause] = []
    limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
    for kind, values in (("limits", limits), ("requests", requests)):
        for name, raw in values.items():
            value = _quantity(raw)
            if _is_extended(name) and value is not None and value != value.to_integral_value():
                causes.append(invalid_value(f"{path}.{kind}[{name}]", str(raw), "must be an integer"))
    for name, raw in requests.items():
        if not _is_extended(name):
            continue
        if name not in limits:
            causes.append(required(f"{path}.limits", "Limit must be set for non overcommitable resources"))
        elif _quantity(raw) != _quantity(limits[name]):
            causes.append(
                invalid_value(
                    f"{path}.requests[{name}]", str(raw), f"must be equal to {name} limit of {limits[name]}"
                )
            )
    return causes


def pod_spec(path: str, spec: Obj) -> list[Cause]:
    containers = spec.get("containers") or []
    if not containers:
        return [required(f"{path}.containers")]
    causes: list[Cause] = []
    for key in ("initContainers", "containers"):
        for index, container in enumerate(spec.get(key) or []):
            where = f"{path}.{key}[{index}]"
            name = container.get("name", "")
            causes += _name(f"{where}.name", name, label=True) if name else [required(f"{where}.name")]
            if not container.get("image"):
                causes.append(required(f"{where}.image"))
            causes += _resources(f"{where}.resources", container.get("resources") or {})
    return causes + validation_resource.pod_claims(path, spec)


def _go_map(labels: dict[str, str]) -> str:
    """A label map as Go's ``%#v`` prints it, which the apiserver uses in some messages."""
    return "map[string]string{" + ", ".join(f'"{k}":"{v}"' for k, v in sorted(labels.items())) + "}"


def _template_checks(spec: Obj, restart_policies: tuple[str, ...]) -> list[Cause]:
    template = spec.get("template") or {}
    causes = pod_spec("spec.template.spec", template.get("spec") or {})
    policy = (template.get("spec") or {}).get("restartPolicy", "Always")
    if policy not in restart_policies:
        causes.append(unsupported("spec.template.spec.restartPolicy", policy, restart_policies))
    return causes


def _daemonset(spec: Obj) -> list[Cause]:
    causes: list[Cause] = []
    selector = spec.get("selector")
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not selector:
        causes.append(required("spec.selector"))
    elif any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        causes.append(
            invalid_value(
                "spec.template.metadata.labels",
                _go_map(labels),
                "`selector` does not match template `labels`",
            )
        )
    return causes + _template_checks(spec, ("Always",))


def _claim(spec: Obj) -> list[Cause]:
    causes = [] if spec.get("accessModes") else [required("spec.accessModes", "at least 1 access mode is required")]
    modes = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")
    causes += [unsupported("spec.accessModes", mode, modes) for mode in spec.get("accessModes") or []
               if mode not in modes]
    if "storage" not in ((spec.get("resources") or {}).get("requests") or {}):
        causes.append(required("spec.resources[storage]"))
    return causes


def validate(rt: ResourceType, obj: Obj) -> None:
    """Raise 422 Invalid with every field error found, as the apiserver reports them."""
    meta = obj.get("metadata") or {}
    name = meta.get("name", "")
    if rt in validation_rbac.RBAC_KINDS:
        causes = validation_rbac.path_segment_name("metadata.name", name) + validation_rbac.causes(rt, obj)
    else:
        causes = _name("metadata.name", name, label=rt == NAMESPACE) if name else []
    spec = obj.get("spec") or {}
    if rt == POD:
        causes += pod_spec("spec", spec)
    elif rt == JOB:
        causes += _template_checks(spec, ("OnFailure", "Never"))
    elif rt == DAEMONSET:
        causes += _daemonset(spec)
    elif rt == PVC:
        causes += _claim(spec)
    elif rt in validation_resource.RESOURCE_KINDS:
        causes += validation_resource.causes(rt, obj)
    if causes:
        raise invalid(rt.kind, rt.group, name, causes)


def _mutable_pod_fields(spec: Obj) -> Obj:
    """The pod spec without the fields an update may change, to compare old and new."""
    rest = {k: v for k, v in spec.items() if k not in ("activeDeadlineSeconds", "tolerations")}
    for key in ("containers", "initContainers"):
        if key in rest:
            rest[key] = [{k: v for k, v in c.items() if k != "image"} for c in rest[key]]
    return rest


def validate_update(rt: ResourceType, old: Obj, new: Obj) -> None:
    """Rules about what an update may change: a binding's roleRef, most of a pod's spec."""
    causes = validation_rbac.update_causes(rt, old, new) + validation_resource.update_causes(rt, old, new)
    if causes:
        raise invalid(rt.kind, rt.group, new["metadata"].get("name", ""), causes)
    if rt == POD:
        validate_pod_update(old, new)


def validate_pod_update(old: Obj, new: Obj) -> None:
    old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
    old_tolerations = old_spec.get("tolerations") or []
    kept = all(t in (new_spec.get("tolerations") or []) for t in old_tolerations)
    if _mutable_pod_fields(old_spec) != _mutable_pod_fields(new_spec) or not kept:
        raise invalid(
            "Pod",
            "",
            new["metadata"].get("name", ""),
            [("FieldValueForbidden", "spec", f"Forbidden: {POD_UPDATE_FORBIDDEN}")],
        )
