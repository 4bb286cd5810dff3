"""Field ownership (``metadata.managedFields``) as structured-merge-diff records it, for the kinds' schemas.

A field set is the set of paths an object sets, in ``fieldsV1`` notation: ``f:name`` for a map key,
``k:{"name":"c"}`` for an element of a list merged by key (``x-kubernetes-list-type: map``), ``v:"a"``
for a member of a set; atomic lists and scalars are leaves. Each path maps to the value there, which
server-side apply compares to find conflicts. Simplified from sigs.k8s.io/structured-merge-diff: an
element's fields and the element itself (its ``.`` entry) are owned together; empty maps are leaves;
quantities compare by their canonical form, the only typed comparison made.
"""

from __future__ import annotations

import json
from typing import Any

from ..quantities import canonical_quantity
from .schemas import QUANTITY, Schema

Obj = dict[str, Any]
Path = tuple[str, ...]
ELEMENT = "."  # an element's own entry in fieldsV1
# What apply and updates never own: identity and server-kept metadata (and status, its own subresource's).
IGNORED: frozenset[Path] = frozenset({
    ("f:apiVersion",), ("f:kind",), ("f:metadata", "f:name"), ("f:metadata", "f:namespace"),
    ("f:metadata", "f:uid"), ("f:metadata", "f:resourceVersion"), ("f:metadata", "f:generation"),
    ("f:metadata", "f:creationTimestamp"), ("f:metadata", "f:managedFields"),
    ("f:metadata", "f:deletionTimestamp"), ("f:metadata", "f:deletionGracePeriodSeconds"), ("f:status",),
})


class SchemaWalk:
    """Finds the schema of a field below a kind's definition."""

    def __init__(self, defs: dict[str, Schema]) -> None:
        self.defs = defs

    def resolve(self, schema: Schema) -> Schema:
        while "$ref" in schema:
            schema = self.defs[schema["$ref"].removeprefix("#/definitions/")]
        return schema

    def field(self, schema: Schema, key: str) -> Schema:
        resolved = self.resolve(schema)
        found = (resolved.get("properties") or {}).get(key) or resolved.get("additionalProperties")
        return found if isinstance(found, dict) else {}


def element_key(schema: Schema, item: Any) -> str | None:
    """The fieldsV1 key of a list element: ``k:{...}`` in a map list, ``v:...`` in a set; None when atomic."""
    kind = schema.get("x-kubernetes-list-type")
    if kind == "map" and isinstance(item, dict):
        keys = {k: item[k] for k in sorted(schema.get("x-kubernetes-list-map-keys", [])) if k in item}
        return "k:" + json.dumps(keys, separators=(",", ":"))
    if kind == "set":
        return "v:" + json.dumps(item, separators=(",", ":"))
    return None


def leaves(walk: SchemaWalk, schema: Schema, value: Any, prefix: Path = ()) -> dict[Path, Any]:
    """Every owned path under ``value`` with the value there (an element's own entry maps to None)."""
    found: dict[Path, Any] = {}
    if isinstance(value, dict) and value:
        for key, item in value.items():
            path = (*prefix, f"f:{key}")
            if path not in IGNORED:
                found.update(leaves(walk, walk.field(schema, key), item, path))
    elif isinstance(value, list) and value and element_key(schema, value[0]) is not None:
        items = walk.resolve(schema).get("items") or {}
        for item in value:
            path = (*prefix, element_key(schema, item) or "")
            found[path] = None
            if path[-1].startswith("k:"):
                found.update(leaves(walk, items, item, path))
    elif schema.get("$ref", "").endswith(QUANTITY):  # compared as the typed value: 1 and "1" are one quantity
        found[prefix] = canonical_quantity(value) or value
    else:
        found[prefix] = value
    return found


def to_fields_v1(paths: set[Path]) -> Obj:
    tree: Obj = {}
    for path in sorted(paths):
        node = tree
        for part in path:
            node = node.setdefault(part, {})
        if path and path[-1].startswith("k:"):
            node[ELEMENT] = {}
    return tree


def from_fields_v1(tree: Any, prefix: Path = ()) -> set[Path]:
    if not isinstance(tree, dict):
        return set()
    paths: set[Path] = set()
    for key, sub in tree.items():
        if key == ELEMENT:
            paths.add(prefix)
        elif isinstance(sub, dict) and sub and set(sub) != {ELEMENT}:
            paths |= from_fields_v1(sub, (*prefix, key))
            if key.startswith(("k:", "v:")):
                paths.add((*prefix, key))
        else:
            paths.add((*prefix, key))
    return paths


def printed(path: Path) -> str:
    """A path as the apiserver prints it in conflicts: ``.spec.containers[name="c"].image``."""
    out = ""
    for part in path:
        kind, _, rest = part.partition(":")
        if kind == "f":
            out += f".{rest}"
        elif kind == "k":
            out += "[" + ",".join(f"{k}={json.dumps(v)}" for k, v in json.loads(rest).items()) + "]"
        else:
            out += f"[={rest}]"
    return out


def entries(obj: Obj) -> list[Obj]:
    """The object's managedFields, with each entry's paths parsed (under ``paths``)."""
    found = []
    for entry in (obj.get("metadata") or {}).get("managedFields") or []:
        if isinstance(entry, dict):
            found.append({**entry, "paths": from_fields_v1(entry.get("fieldsV1"))})
    return found


def store_entries(obj: Obj, managed: list[Obj]) -> None:
    """Write the entries back, leaving out those that own nothing any more."""
    kept = []
    for entry in managed:
        if entry["paths"]:
            record = {k: v for k, v in entry.items() if k != "paths"}
            record["fieldsType"], record["fieldsV1"] = "FieldsV1", to_fields_v1(entry["paths"])
            kept.append(record)
    meta = obj.setdefault("metadata", {})
    if kept:
        meta["managedFields"] = kept
    else:
        meta.pop("managedFields", None)
