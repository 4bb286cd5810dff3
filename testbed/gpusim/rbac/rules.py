"""RBAC's matching rules, as ``plugin/pkg/auth/authorizer/rbac`` applies them.

- verbs, apiGroups: ``*`` or an exact match;
- resources: ``*``, ``pods``, ``pods/log`` (the combined resource), or ``*/log`` (any resource's subresource);
- resourceNames: empty means every name; otherwise the request must name one of them, so requests
  without a name (create, deletecollection, a list or watch without ``metadata.name=``) never match;
- nonResourceURLs: ``*``, an exact path, or a prefix ending in ``*``.
"""

from __future__ import annotations

from typing import Any

from ..authz import Attributes
from ..identity import UserInfo, service_account_username

Obj = dict[str, Any]


def _has(values: Any, wanted: str) -> bool:
    items = values or []
    return "*" in items or wanted in items


def _resource_matches(rule: Obj, resource: str, subresource: str) -> bool:
    combined = f"{resource}/{subresource}" if subresource else resource
    for item in rule.get("resources") or []:
        if item in ("*", combined):
            return True
        if subresource and item == f"*/{subresource}":
            return True
    return False


def _url_matches(rule: Obj, path: str) -> bool:
    for spec in rule.get("nonResourceURLs") or []:
        if spec in ("*", path) or (spec.endswith("*") and path.startswith(spec.rstrip("*"))):
            return True
    return False


def rule_allows(attrs: Attributes, rule: Obj) -> bool:
    if not _has(rule.get("verbs"), attrs.verb):
        return False
    if not attrs.resource_request:
        return _url_matches(rule, attrs.path)
    names = rule.get("resourceNames") or []
    return (_has(rule.get("apiGroups"), attrs.group)
            and _resource_matches(rule, attrs.resource, attrs.subresource)
            and (not names or attrs.name in names))


def subject_applies(subject: Obj, user: UserInfo, binding_namespace: str) -> bool:
    """appliesToUser: a ServiceAccount subject without a namespace means the binding's own namespace."""
    kind, name = subject.get("kind"), subject.get("name", "")
    if kind == "User":
        return bool(user.name == name)
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        namespace = subject.get("namespace") or binding_namespace
        return bool(namespace) and user.name == service_account_username(namespace, name)
    return False


def describe_subject(subject: Obj, binding_namespace: str) -> str:
    kind, name = subject.get("kind", ""), subject.get("name", "")
    if kind == "ServiceAccount":
        return f'{kind} "{name}/{subject.get("namespace") or binding_namespace}"'
    return f'{kind} "{name}"'
