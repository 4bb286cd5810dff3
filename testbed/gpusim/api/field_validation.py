"""``fieldValidation``: fields a kind's schema does not have, as the apiserver's strict decoder reports them.

Every kind, in the version the body is written in (a v1beta1 ResourceSlice is read against v1beta1's
schema), from the one schema source. The wording is the apiserver's
(staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go and patch.go):

- create and update under ``Strict`` (kubectl's default): 400 ``Pod in version "v1" cannot be handled as a
  Pod: strict decoding error: unknown field "spec.foo"`` (transformDecodeError); under ``Warn`` (the
  server's default) one ``unknown field "spec.foo"`` warning each; ``Ignore`` says nothing.
- patches: the patched object is decoded, and ``Strict`` answers 400 ``strict decoding error: ...``.
- apply patches are typed by structured-merge-diff whatever fieldValidation says: 500
  ``failed to create typed patch object (ns/name; v1, Kind=Pod): .spec.foo: field not declared in schema``
  (fieldmanager; the reason is empty, as for any error that is not a Status). Only the first unknown
  field is named here, and list elements by index where structured-merge-diff names them by key.
Duplicate fields (``duplicate field "x"``) are not detected: the body is parsed before it is checked.
"""

from __future__ import annotations

from typing import Any

from ..errors import ApiError, bad_request
from ..resources import ResourceType
from . import schemas
from .managed_fields import SchemaWalk

Obj = dict[str, Any]


def _unknown(walk: SchemaWalk, schema: schemas.Schema, value: Any, path: str) -> list[str]:
    resolved = walk.resolve(schema)
    found: list[str] = []
    if isinstance(value, dict):
        properties = resolved.get("properties")
        extra = resolved.get("additionalProperties")
        if properties is None and extra is None:
            return []  # free-form JSON
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if properties is not None and key in properties:
                found += _unknown(walk, properties[key], item, where)
            elif isinstance(extra, dict):
                found += _unknown(walk, extra, item, where)
            else:
                found.append(where)
    elif isinstance(value, list) and isinstance(resolved.get("items"), dict):
        for index, item in enumerate(value):
            found += _unknown(walk, resolved["items"], item, f"{path}[{index}]")
    return found


def unknown_fields(rt: ResourceType, version: str, obj: Obj) -> list[str]:
    """Paths of the fields ``version`` of ``rt`` does not have, in the order of the body."""
    defs, names = schemas.all_definitions()
    name = names.get((rt.group, version, rt.kind))
    if name is None:
        return []
    return _unknown(SchemaWalk(defs), {"$ref": f"#/definitions/{name}"}, obj, "")


def _strict(found: list[str]) -> str:
    return "strict decoding error: " + ", ".join(f'unknown field "{path}"' for path in found)


def check_body(rt: ResourceType, version: str, obj: Obj, validation: str) -> list[str]:
    """A create or update body: the warnings to send; 400 under ``Strict``."""
    found = unknown_fields(rt, version, obj) if validation != "Ignore" else []
    if found and validation == "Strict":
        raise bad_request(f'{rt.kind} in version "{version}" cannot be handled as a {rt.kind}: {_strict(found)}')
    return [f'unknown field "{path}"' for path in found]


def check_patched(rt: ResourceType, version: str, obj: Obj, validation: str) -> list[str]:
    """A patched object: the warnings to send; 400 under ``Strict``."""
    found = unknown_fields(rt, version, obj) if validation != "Ignore" else []
    if found and validation == "Strict":
        raise bad_request(_strict(found))
    return [f'unknown field "{path}"' for path in found]


def check_applied(rt: ResourceType, version: str, obj: Obj, namespace: str, name: str) -> None:
    """An apply patch: 500 for its first unknown field."""
    found = unknown_fields(rt, version, obj)
    if found:
        api_version = f"{rt.group}/{version}"
        raise ApiError(500, "", f"failed to create typed patch object ({namespace}/{name}; {api_version}, "
                                f"Kind={rt.kind}): .{found[0]}: field not declared in schema", None)
