"""Server-side apply (``PATCH`` with ``application/apply-patch+yaml``) and the field ownership of other writes.

An apply sets the fields of the applied configuration, merging lists by their schema's list type; a field
another manager owns with a different live value is a conflict (409, with the apiserver's message from
k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager/internal/conflict.go) unless ``force=true`` takes it
over. Fields the manager applied before and applies no more are removed when nobody else owns them.
Writes that name a ``fieldManager`` (kubectl create, client-side apply, edit ...) are recorded as ``Update``
entries owning the fields they changed. Simplified: a write without ``fieldManager`` leaves managedFields as
they are (the apiserver records it under a name derived from the user agent), and ownership is not moved
between API versions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import yaml

from ..errors import ApiError, bad_request
from ..resources import ResourceType
from ..store import clone
from . import schemas
from .managed_fields import Path, SchemaWalk, element_key, entries, leaves, printed, store_entries
from .messages import Obj


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _kind(rt: ResourceType) -> tuple[SchemaWalk, schemas.Schema]:
    defs, names = schemas.all_definitions()
    return SchemaWalk(defs), {"$ref": f"#/definitions/{names[(rt.group, rt.version, rt.kind)]}"}


def parse_applied(body: bytes) -> Obj:
    try:
        applied = yaml.safe_load(body or b"")
    except yaml.YAMLError as exc:
        raise bad_request(f"error decoding YAML: {exc}") from exc
    if not isinstance(applied, dict):
        raise bad_request("error decoding YAML: the applied configuration must be an object")
    return applied


def _manager_name(entry: Obj) -> str:
    name = f'"{entry["manager"]}"'
    if entry.get("subresource"):
        name += f' with subresource "{entry["subresource"]}"'
    return f"{name} using {entry['apiVersion']}" if entry.get("operation") == "Update" else name


def _conflict_error(conflicts: list[tuple[Obj, Path]]) -> ApiError:
    causes = [{"type": "FieldManagerConflict", "message": f"conflict with {_manager_name(e)}", "field": printed(p)}
              for e, p in conflicts]
    if len(conflicts) == 1:
        entry, path = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {_manager_name(entry)}: {printed(path)}"
    else:
        lines = []
        for name in sorted({_manager_name(e) for e, _ in conflicts}):
            lines.append(f"conflicts with {name}:")
            lines += [f"- {printed(p)}" for e, p in conflicts if _manager_name(e) == name]
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return ApiError(409, "Conflict", message, {"causes": causes})


def _merge(walk: SchemaWalk, schema: schemas.Schema, live: Any, applied: Any) -> Any:
    if isinstance(live, dict) and isinstance(applied, dict):
        merged = dict(live)
        for key, value in applied.items():
            merged[key] = _merge(walk, walk.field(schema, key), live.get(key), value)
        return merged
    if isinstance(live, list) and isinstance(applied, list) and applied:
        if element_key(schema, applied[0]) is None:
            return clone(applied)
        items = walk.resolve(schema).get("items") or {}
        merged_list = list(live)
        for item in applied:
            key = element_key(schema, item)
            index = next((i for i, cur in enumerate(merged_list) if element_key(schema, cur) == key), None)
            if index is None:
                merged_list.append(clone(item))
            elif key is not None and key.startswith("k:"):
                merged_list[index] = _merge(walk, items, merged_list[index], item)
        return merged_list
    return clone(applied)


def _remove(walk: SchemaWalk, schema: schemas.Schema, node: Any, path: Path) -> None:
    """Delete the field at ``path`` (and an element with its own entry) from ``node``, if there."""
    head, rest = path[0], path[1:]
    if head.startswith("f:") and isinstance(node, dict) and head[2:] in node:
        if rest:
            _remove(walk, walk.field(schema, head[2:]), node[head[2:]], rest)
        else:
            del node[head[2:]]
    elif isinstance(node, list):
        items = walk.resolve(schema).get("items") or {}
        for index, item in enumerate(node):
            if element_key(schema, item) == head:
                if rest:
                    _remove(walk, items, item, rest)
                else:
                    del node[index]
                return


def apply(rt: ResourceType, live: Obj | None, applied: Obj, manager: str, *, force: bool, api_version: str) -> Obj:
    """The object after ``manager`` applies ``applied`` to ``live`` (None: it does not exist yet)."""
    if not manager:
        raise bad_request("PATCH: fieldManager is required for apply requests")
    walk, kind = _kind(rt)
    current: Obj = clone(live) if live is not None else {"metadata": {}}
    managed = entries(current)
    wanted = leaves(walk, kind, applied)
    present = leaves(walk, kind, current)
    conflicts = [(entry, path) for entry in managed if not _is_applier(entry, manager)
                 for path in sorted(entry["paths"] & wanted.keys())
                 if path in present and present[path] != wanted[path]]
    if conflicts and not force:
        raise _conflict_error(conflicts)
    for entry, path in conflicts:
        entry["paths"].discard(path)
    mine = next((e for e in managed if _is_applier(e, manager)), None)
    result: Obj = _merge(walk, kind, current, applied)
    others = set().union(*(e["paths"] for e in managed if e is not mine))
    for path in sorted((mine["paths"] if mine else set()) - wanted.keys() - others, key=len):
        _remove(walk, kind, result, path)  # an element goes before its fields, which go with it
    if mine is None:
        mine = {"manager": manager, "operation": "Apply"}
        managed.append(mine)
    mine.update(apiVersion=api_version, time=_now(), paths=set(wanted))
    store_entries(result, managed)
    return result


def _is_applier(entry: Obj, manager: str) -> bool:
    return bool(entry.get("manager") == manager and entry.get("operation") == "Apply")


def record_update(rt: ResourceType, old: Obj | None, new: Obj, manager: str, api_version: str) -> None:
    """``manager``'s write of ``new`` (over ``old``): it owns what it changed, which others no longer own."""
    if not manager:
        if old is not None and "managedFields" not in new.get("metadata", {}):
            _keep_entries(old, new)
        return
    walk, kind = _kind(rt)
    before = leaves(walk, kind, old) if old is not None else {}
    changed = {path for path, value in leaves(walk, kind, new).items() if before.get(path, ...) != value}
    managed = entries(old) if old is not None and "managedFields" not in new.get("metadata", {}) else entries(new)
    for entry in managed:
        entry["paths"] -= changed
    mine = next((e for e in managed if e.get("manager") == manager and e.get("operation") == "Update"), None)
    if mine is None:
        mine = {"manager": manager, "operation": "Update", "paths": set()}
        managed.append(mine)
    mine.update(apiVersion=api_version, time=_now(), paths=mine["paths"] | changed)
    store_entries(new, managed)


def _keep_entries(old: Obj, new: Obj) -> None:
    """A write that leaves managedFields out keeps them, as the apiserver does."""
    if "managedFields" in old.get("metadata", {}):
        new.setdefault("metadata", {})["managedFields"] = clone(old["metadata"]["managedFields"])
