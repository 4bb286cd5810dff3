"""The one schema source of the served kinds: OpenAPI definitions derived from the official Python client.

The kubernetes Python client is generated from the apiserver's own OpenAPI document; its models keep
every field's JSON name (``serialization_alias``), type, whether it is required, and its description.
Walking them back gives the shape of the real definitions, which /openapi/v2 and /openapi/v3 serve and
field validation reads. What the models lost, and how it is put back:

- definition names: the client names models ``V1PodSpec``; the apiserver ``io.k8s.api.core.v1.PodSpec``.
  A model's package is its kind's (``core`` for ``/api/v1``, the group's first label otherwise; a
  ``ResourceV1`` prefix names it), apimachinery's meta types are ``io.k8s.apimachinery.pkg.apis.meta.v1``.
- ``resource.Quantity`` and ``intstr.IntOrString`` became plain types: quantity maps (limits, requests,
  capacity, ...) and int-or-string unions refer to those definitions again.
- the strategic-merge and server-side-apply list semantics (``x-kubernetes-patch-merge-key``,
  ``x-kubernetes-list-type``/``-map-keys``) come from the Go struct tags, as strategic.py lists them.
Simplified: integers carry no int32/int64 format, and no ``default`` or ``enum`` is given.
"""

from __future__ import annotations

import datetime
import re
import typing
from functools import cache
from typing import Any

import kubernetes.client as models
from pydantic import BaseModel

from ..resources import RESOURCE_GROUP, RESOURCES
from .strategic import MERGE_KEYS, MERGED_PRIMITIVE_LISTS

Schema = dict[str, Any]

META = "io.k8s.apimachinery.pkg.apis.meta.v1"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_META_TYPES = {"ObjectMeta", "ListMeta", "OwnerReference", "ManagedFieldsEntry", "LabelSelector",
               "LabelSelectorRequirement", "Condition", "Status", "StatusDetails", "StatusCause"}
_QUANTITY_MAPS = {"limits", "requests", "capacity", "allocatable", "overhead", "hard", "used"}
_MODEL_NAME = re.compile(r"([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)")
_PORT_KEYS = {"V1Container": "containerPort", "V1ServiceSpec": "port"}  # ports' merge key, by parent
_SPECIAL = {
    QUANTITY: {"description": "Quantity is a fixed-point representation of a number.", "type": "string"},
    INT_OR_STRING: {"description": "IntOrString is a type that can hold an int32 or a string.",
                    "type": "string", "format": "int-or-string"},
}


def package(group: str) -> str:
    """The Go package of a group's types: ``core`` for the legacy group, else the group's first label."""
    return group.split(".")[0] if group else "core"


def model_class(group: str, version: str, kind: str) -> type[BaseModel] | None:
    """The client's model of a kind; a group prefix tells apart kinds two groups share a name for."""
    prefix = package(group).capitalize()
    for name in (f"{prefix}{version.capitalize()}{kind}", f"{version.capitalize()}{kind}"):
        found = getattr(models, name, None)
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    return None


def _definition_name(cls: type[BaseModel], pkg: str) -> str:
    match = _MODEL_NAME.fullmatch(cls.__name__)
    if match is None:
        return cls.__name__
    prefix, version, name = match.groups()
    if name in _META_TYPES and version == "V1":
        return f"{META}.{name}"
    return f"io.k8s.api.{(prefix or pkg).lower()}.{version.lower()}.{name}"


def _unwrap(annotation: Any) -> tuple[Any, ...]:
    """The types an annotation allows, without None and the Annotated/Strict wrappers."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin is typing.Union:
        return tuple(t for arg in typing.get_args(annotation) if arg is not type(None) for t in _unwrap(arg))
    return (annotation,)


class _Builder:
    """Definitions of one kind's model and every model it reaches, in the apiserver's naming."""

    def __init__(self, defs: dict[str, Schema]) -> None:
        self.defs = defs
        self.names: dict[type[BaseModel], str] = {}  # a model's package is that of the first kind reaching it

    def ref(self, name: str) -> Schema:
        return {"$ref": f"#/definitions/{name}"}

    def model(self, cls: type[BaseModel], pkg: str) -> str:
        if cls in self.names:
            return self.names[cls]
        name = self.names[cls] = _definition_name(cls, pkg)
        schema: Schema = {"type": "object", "properties": {}}
        self.defs[name] = schema
        if cls.__doc__ and cls.__doc__.split("Attributes:")[0].strip():
            schema["description"] = " ".join(cls.__doc__.split("Attributes:")[0].split())
        required = []
        for attr, field in cls.model_fields.items():
            json_name = field.serialization_alias or attr
            prop = self.type_schema(field.annotation, pkg, json_name)
            prop.update(_list_semantics(cls.__name__, json_name, prop))
            if field.description:
                prop["description"] = field.description
            schema["properties"][json_name] = prop
            if field.is_required():
                required.append(json_name)
        if required:
            schema["required"] = required
        return name

    def type_schema(self, annotation: Any, pkg: str, json_name: str = "") -> Schema:
        options = _unwrap(annotation)
        if len(options) > 1:
            return self._special(INT_OR_STRING)
        kind = options[0]
        origin = typing.get_origin(kind)
        if origin in (list, typing.List):  # noqa: UP006
            return {"type": "array", "items": self.type_schema(typing.get_args(kind)[0], pkg)}
        if origin in (dict, typing.Dict):  # noqa: UP006
            value = typing.get_args(kind)[1]
            if value is Any:
                return {"type": "object"}
            item = self._special(QUANTITY) if json_name in _QUANTITY_MAPS else self.type_schema(value, pkg)
            return {"type": "object", "additionalProperties": item}
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return self.ref(self.model(kind, pkg))
        return _primitive(kind)

    def _special(self, name: str) -> Schema:
        self.defs[name] = dict(_SPECIAL[name])
        return self.ref(name)


def _primitive(kind: Any) -> Schema:
    if kind is bool:
        return {"type": "boolean"}
    if kind is int:
        return {"type": "integer"}
    if kind is float:
        return {"type": "number", "format": "double"}
    if kind is datetime.datetime:
        return {"type": "string", "format": "date-time"}
    if kind in (bytes, bytearray):
        return {"type": "string", "format": "byte"}
    if kind is str:
        return {"type": "string"}
    return {"type": "object"}  # Any: free-form JSON (RawExtension, FieldsV1, JSON)


def _list_semantics(model: str, field: str, prop: Schema) -> Schema:
    """The struct tags' patch strategy and list type, for lists strategic merge and apply merge by key."""
    if prop.get("type") != "array":
        return {}
    if field in MERGED_PRIMITIVE_LISTS:
        return {"x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge"}
    key = _PORT_KEYS.get(model) if field == "ports" else MERGE_KEYS.get(field)
    if key is None or "$ref" not in prop["items"]:
        return {"x-kubernetes-list-type": "atomic"}
    strategy = "merge,retainKeys" if field == "volumes" else "merge"
    keys = [key, "protocol"] if field == "ports" else [key]  # listMapKey: ports are told apart by protocol too
    return {"x-kubernetes-list-map-keys": keys, "x-kubernetes-list-type": "map",
            "x-kubernetes-patch-merge-key": key, "x-kubernetes-patch-strategy": strategy}


@cache
def definitions(kinds: tuple[tuple[str, str, str], ...]) -> tuple[dict[str, Schema], dict[tuple[str, str, str], str]]:
    """The definitions the kinds ``(group, version, kind)`` reach, and each kind's definition name.

    A kind's definition carries ``x-kubernetes-group-version-kind``, which clients look schemas up by.
    """
    defs: dict[str, Schema] = {}
    names: dict[tuple[str, str, str], str] = {}
    builder = _Builder(defs)
    for group, version, kind in kinds:
        cls = model_class(group, version, kind)
        if cls is None:
            continue
        name = builder.model(cls, package(group))
        defs[name]["x-kubernetes-group-version-kind"] = [{"group": group, "kind": kind, "version": version}]
        names[(group, version, kind)] = name
    return defs, names


def all_definitions() -> tuple[dict[str, Schema], dict[tuple[str, str, str], str]]:
    """The definitions of every kind in the version the store keeps it in, and resource.k8s.io's betas."""
    stored = [(rt.group, rt.version, rt.kind) for rt in RESOURCES]
    betas = [(rt.group, beta, rt.kind) for beta in ("v1beta2", "v1beta1") for rt in RESOURCES
             if rt.group == RESOURCE_GROUP]
    return definitions(tuple(stored + betas))
