"""Strategic merge patch as kubectl sends it: lists merged by their Kubernetes ``patchMergeKey``.

Only the directives kubectl produces are understood: ``$patch: delete|replace|merge``, ``$retainKeys``,
``$deleteFromPrimitiveList/<field>`` and ``$setElementOrder/<field>`` (order is not enforced).
Lists without a merge key (tolerations, taints, args...) are replaced whole, as in Kubernetes.
"""

from __future__ import annotations

from typing import Any

from ..errors import bad_request
from ..store import clone

Obj = dict[str, Any]

_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
# field name -> patchMergeKey, from the Go types' struct tags (k8s.io/api/core/v1 and friends).
MERGE_KEYS = {
    **{name: "name" for name in _CONTAINER_LISTS},
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "conditions": "type",
    "addresses": "type",
    "ownerReferences": "uid",
    "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
    "schedulingGates": "name",
    "podIPs": "ip",
    "hostIPs": "ip",
}
MERGED_PRIMITIVE_LISTS = {"finalizers"}  # []string with patchStrategy "merge": a set union


def _merge_key(parent: str, field: str) -> str | None:
    if field == "ports":
        return "containerPort" if parent in _CONTAINER_LISTS else "port"
    return MERGE_KEYS.get(field)


def apply_strategic(original: Obj, patch: Obj) -> Obj:
    """A new object: ``original`` (left untouched) with ``patch`` applied."""
    if not isinstance(patch, dict):
        raise bad_request("strategic merge patch must be a JSON object")
    return _merge_map(clone(original), patch, "")


def _merge_map(target: Obj, patch: Obj, parent: str) -> Obj:
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: clone(v) for k, v in patch.items() if k != "$patch"}
    retain = patch.get("$retainKeys")
    for key, value in patch.items():
        if key in ("$patch", "$retainKeys") or key.startswith("$setElementOrder/"):
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            doomed = set(value or [])
            target[field] = [v for v in target.get(field) or [] if v not in doomed]
            continue
        if value is None or (isinstance(value, dict) and value.get("$patch") == "delete"):
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            target[key] = _merge_map(target[key], value, key)
        elif isinstance(value, list) and isinstance(target.get(key), list):
            target[key] = _merge_list(target[key], value, parent, key)
        else:
            target[key] = _strip_directives(value)
    if isinstance(retain, list):
        for key in [k for k in target if k not in retain]:
            del target[key]
    return target


def _merge_list(target: list[Any], patch: list[Any], parent: str, field: str) -> list[Any]:
    if any(isinstance(item, dict) and item.get("$patch") == "replace" for item in patch):
        return [
            _strip_directives(i) for i in patch if not (isinstance(i, dict) and i.get("$patch") == "replace")
        ]
    if field in MERGED_PRIMITIVE_LISTS:
        return target + [v for v in patch if v not in target]
    key = _merge_key(parent, field)
    if key is None or not all(isinstance(i, dict) for i in patch):
        return _strip_directives(patch)  # type: ignore[no-any-return]
    result = list(target)
    for item in patch:
        index = next(
            (i for i, cur in enumerate(result) if isinstance(cur, dict) and cur.get(key) == item.get(key)),
            None,
        )
        if item.get("$patch") == "delete":
            result = [cur for cur in result if not (isinstance(cur, dict) and cur.get(key) == item.get(key))]
        elif index is None:
            result.append(_strip_directives(item))
        else:
            result[index] = _merge_map(result[index], item, field)
    return result


def _strip_directives(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_directives(v) for k, v in value.items() if not k.startswith("$")}
    if isinstance(value, list):
        return [_strip_directives(v) for v in value]
    return value
