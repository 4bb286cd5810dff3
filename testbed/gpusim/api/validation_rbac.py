"""Validation of Roles, ClusterRoles and their bindings (pkg/apis/rbac/validation)."""

from __future__ import annotations

from typing import Any

from ..resources import CLUSTERROLE, CLUSTERROLEBINDING, RBAC_GROUP, ROLE, ROLEBINDING, ResourceType
from .fielderrors import Cause, invalid_value, required, unsupported

Obj = dict[str, Any]
RBAC_KINDS = (CLUSTERROLE, CLUSTERROLEBINDING, ROLE, ROLEBINDING)
_SUBJECT_KINDS = ("ServiceAccount", "User", "Group")


def path_segment_name(field: str, name: str) -> list[Cause]:
    """ValidateRBACName (path.IsValidPathSegmentName): ``system:basic-user`` is a fine name."""
    if name in (".", ".."):
        return [invalid_value(field, name, f"may not be '{name}'")]
    return [invalid_value(field, name, f"may not contain '{c}'") for c in "/%" if c in name]


def _rule(rule: Obj, namespaced: bool, where: str) -> list[Cause]:
    causes = [] if rule.get("verbs") else [required(f"{where}.verbs", "verbs must contain at least one value")]
    urls = rule.get("nonResourceURLs") or []
    if urls:
        if namespaced:
            causes.append(invalid_value(f"{where}.nonResourceURLs", urls,
                                        "namespaced rules cannot apply to non-resource URLs"))
        if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
            causes.append(invalid_value(f"{where}.nonResourceURLs", urls,
                                        "rules cannot apply to both regular resources and non-resource URLs"))
        return causes
    if not rule.get("apiGroups"):
        causes.append(required(f"{where}.apiGroups", "resource rules must supply at least one api group"))
    if not rule.get("resources"):
        causes.append(required(f"{where}.resources", "resource rules must supply at least one resource"))
    return causes


def _subject(subject: Obj, namespaced: bool, where: str) -> list[Cause]:
    causes = [] if subject.get("name") else [required(f"{where}.name")]
    kind, group = subject.get("kind", ""), subject.get("apiGroup", "")
    if kind == "ServiceAccount":
        if group:
            causes.append(unsupported(f"{where}.apiGroup", group, ("",)))
        if not namespaced and not subject.get("namespace"):
            causes.append(required(f"{where}.namespace"))
    elif kind in ("User", "Group"):
        if group != RBAC_GROUP:
            causes.append(unsupported(f"{where}.apiGroup", group, (RBAC_GROUP,)))
    else:
        causes.append(unsupported(f"{where}.kind", kind, _SUBJECT_KINDS))
    return causes


def _binding(obj: Obj, namespaced: bool) -> list[Cause]:
    ref = obj.get("roleRef") or {}
    causes: list[Cause] = []
    if ref.get("apiGroup") != RBAC_GROUP:
        causes.append(unsupported("roleRef.apiGroup", ref.get("apiGroup", ""), (RBAC_GROUP,)))
    kinds = ("Role", "ClusterRole") if namespaced else ("ClusterRole",)
    if ref.get("kind") not in kinds:
        causes.append(unsupported("roleRef.kind", ref.get("kind", ""), kinds))
    name = ref.get("name", "")
    causes += path_segment_name("roleRef.name", name) if name else [required("roleRef.name")]
    for index, subject in enumerate(obj.get("subjects") or []):
        causes += _subject(subject, namespaced, f"subjects[{index}]")
    return causes


def causes(rt: ResourceType, obj: Obj) -> list[Cause]:
    if rt in (ROLE, CLUSTERROLE):
        return [c for i, rule in enumerate(obj.get("rules") or []) for c in _rule(rule, rt == ROLE, f"rules[{i}]")]
    return _binding(obj, rt == ROLEBINDING)


def _go_role_ref(ref: Obj) -> str:
    return (f'rbac.RoleRef{{APIGroup:"{ref.get("apiGroup", "")}", Kind:"{ref.get("kind", "")}", '
            f'Name:"{ref.get("name", "")}"}}')


def update_causes(rt: ResourceType, old: Obj, new: Obj) -> list[Cause]:
    """A binding's roleRef is immutable: kubectl apply of a changed roleRef fails with this."""
    if rt not in (ROLEBINDING, CLUSTERROLEBINDING) or old.get("roleRef") == new.get("roleRef"):
        return []
    return [("FieldValueInvalid", "roleRef",
             f"Invalid value: {_go_role_ref(new.get('roleRef') or {})}: cannot change roleRef")]
