"""Label and field selectors, parsed as the apiserver parses them and failing in its wording."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import ApiError, bad_request

Obj = dict[str, Any]
Predicate = Callable[[Obj], bool]

_KEY = r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?"
_VALUE = r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?"
_SET = re.compile(rf"^\s*(!?)\s*({_KEY})\s*(?:(notin|in)\s*\(([^)]*)\))?\s*$")
_CMP = re.compile(rf"^\s*({_KEY})\s*(==|!=|=|>|<)\s*(\S*)\s*$")


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside ``( ... )``."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _bad_label(text: str, why: str) -> ApiError:
    return bad_request(f"unable to parse requirement: {why}") if text else bad_request(why)


def _label_requirement(text: str) -> Predicate:
    match = _CMP.match(text)
    if match:
        key, op, value = match.group(1), match.group(3), match.group(4)
        if op in (">", "<"):
            if not re.fullmatch(r"-?\d+", value):
                raise _bad_label(text, f"for 'Gt', 'Lt' operators, the value must be an integer: {value!r}")
            bound = int(value)

            def compare(labels: dict[str, str]) -> bool:
                raw = labels.get(key)
                if raw is None or not re.fullmatch(r"-?\d+", raw):
                    return False
                return int(raw) > bound if op == ">" else int(raw) < bound

            return lambda obj: compare(_labels(obj))
        if not re.fullmatch(_VALUE, value):
            raise _bad_label(text, f"values[0][{key}]: Invalid value: {value!r}: a valid label must be an "
                                   "empty string or consist of alphanumeric characters, '-', '_' or '.', "
                                   "and must start and end with an alphanumeric character")
        if op == "!=":
            return lambda obj: _labels(obj).get(key) != value
        return lambda obj: _labels(obj).get(key) == value
    match = _SET.match(text)
    if match:
        negate, key, op, values = match.group(1), match.group(2), match.group(4), match.group(5)
        if op is None:
            if negate:
                return lambda obj: key not in _labels(obj)
            return lambda obj: key in _labels(obj)
        if negate:
            raise _bad_label(text, f"found '{op}', expected: ',' or 'end of string'")
        allowed = {v.strip() for v in values.split(",") if v.strip()}
        if not allowed:
            raise _bad_label(text, "for 'in', 'notin' operators, values set can't be empty")
        if op == "in":
            return lambda obj: _labels(obj).get(key) in allowed
        return lambda obj: _labels(obj).get(key) not in allowed
    raise bad_request(f"unable to parse requirement: found '{text.strip()}', expected: identifier")


def _labels(obj: Obj) -> dict[str, str]:
    labels: dict[str, str] = obj.get("metadata", {}).get("labels") or {}
    return labels


def parse_label_selector(text: str | None) -> Predicate:
    """A predicate for ``labelSelector``; an empty selector matches everything."""
    if not text or not text.strip():
        return lambda obj: True
    preds = [_label_requirement(part) for part in _split_top_level(text)]
    return lambda obj: all(p(obj) for p in preds)


def selector_from_match_labels(match_labels: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(match_labels.items()))


def label_selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """Evaluate a ``metav1.LabelSelector`` (matchLabels and matchExpressions) against labels."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        present = key in labels
        if (op == "In" and labels.get(key) not in values) or (op == "NotIn" and present and labels[key] in values):
            return False
        if (op == "Exists" and not present) or (op == "DoesNotExist" and present):
            return False
    return True


def _get_path(obj: Obj, path: str) -> str:
    node: Any = obj
    for part in path.split("."):
        if not isinstance(node, dict):
            return ""
        node = node.get(part)
    if node is None:
        return ""
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


_COMMON_FIELDS = ("metadata.name", "metadata.namespace")

# Field labels each resource accepts, as registered by the apiserver's field label conversion funcs.
FIELDS: dict[str, tuple[str, ...]] = {
    "pods": (
        *_COMMON_FIELDS, "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName",
    ),
    "events": (
        *_COMMON_FIELDS, "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    ),
    "nodes": (*_COMMON_FIELDS, "spec.unschedulable"),
    "namespaces": (*_COMMON_FIELDS, "status.phase"),
    "jobs.batch": (*_COMMON_FIELDS, "status.successful"),
    "resourceslices.resource.k8s.io": ("metadata.name", "spec.nodeName", "spec.driver"),
}


def _field_value(obj: Obj, field: str) -> str:
    if field == "source":
        return _get_path(obj, "source.component")
    if field == "metadata.namespace" and not obj.get("metadata", {}).get("namespace"):
        return ""
    return _get_path(obj, field)


def _field_predicate(field: str, value: str, *, negate: bool) -> Predicate:
    return lambda obj: (_field_value(obj, field) == value) != negate


def parse_field_selector(text: str | None, resource_key: str) -> Predicate:
    """A predicate for ``fieldSelector``; unknown fields are refused as the apiserver refuses them."""
    if not text or not text.strip():
        return lambda obj: True
    allowed = FIELDS.get(resource_key, _COMMON_FIELDS)
    preds: list[Predicate] = []
    for part in text.split(","):
        match = re.match(r"^\s*([^=!\s]+)\s*(==|!=|=)\s*(.*?)\s*$", part)
        if not match:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        field, op, value = match.groups()
        if field not in allowed:
            raise bad_request(f'field label not supported: {field}')
        preds.append(_field_predicate(field, value, negate=op == "!="))
    return lambda obj: all(p(obj) for p in preds)
