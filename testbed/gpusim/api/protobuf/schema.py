"""How a generated.proto message maps onto its JSON form: one :class:`Field` per field number.

The tables built from these helpers are data transcribed from kubernetes' ``generated.proto`` files;
the JSON names and the zero-value rules come from the Go types' ``json`` tags.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "string", "bool", "int", "bytes", "time", "microtime", "quantity", "intorstr", "fieldsv1", "message",
    "inline", "map",
]
MapValue = Literal["string", "bytes", "quantity"]


@dataclass(frozen=True)
class Field:
    """One field: its JSON name, how its wire value becomes JSON, and when a zero value still shows.

    ``keep`` marks scalars whose zero value is part of the JSON form: Go pointers (``*int32``: present
    on the wire means set, even to 0) and fields without ``omitempty``. Other zero scalars are dropped,
    as Go's encoder writes them on the wire but ``omitempty`` leaves them out of JSON.
    ``inline`` fields (Go embedded structs, ``json:",inline"``) merge into their parent object.
    """

    json: str
    kind: Kind = "string"
    ref: str = ""  # the nested message, for "message" and "inline"
    repeated: bool = False
    keep: bool = False
    map_value: MapValue = "string"


Message = Mapping[int, Field]


def s(json: str, keep: bool = False) -> Field:
    return Field(json, "string", keep=keep)


def b(json: str, keep: bool = False) -> Field:
    return Field(json, "bool", keep=keep)


def n(json: str, keep: bool = False) -> Field:
    """Any integer: int32 and int64 share the varint encoding."""
    return Field(json, "int", keep=keep)


def m(json: str, ref: str) -> Field:
    return Field(json, "message", ref)


def rm(json: str, ref: str) -> Field:
    return Field(json, "message", ref, repeated=True)


def rs(json: str) -> Field:
    return Field(json, "string", repeated=True)


def rn(json: str) -> Field:
    return Field(json, "int", repeated=True)


def t(json: str) -> Field:
    return Field(json, "time")


def mt(json: str) -> Field:
    return Field(json, "microtime")


def q(json: str) -> Field:
    return Field(json, "quantity")


def ios(json: str) -> Field:
    return Field(json, "intorstr")


def inline(ref: str) -> Field:
    return Field("", "inline", ref)


def smap(json: str) -> Field:
    return Field(json, "map")


def qmap(json: str) -> Field:
    return Field(json, "map", map_value="quantity")


def bmap(json: str) -> Field:
    return Field(json, "map", map_value="bytes")
