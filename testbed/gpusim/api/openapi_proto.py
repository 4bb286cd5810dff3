"""OpenAPI v2 in gnostic's protobuf encoding, which kubectl asks /openapi/v2 for (and reads nothing else).

client-go's ``OpenAPISchema`` asks for it (``Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf``)
and unmarshals the body as ``openapi_v2.Document``; field numbers are those of google/gnostic's
openapiv2/OpenAPIv2.proto. Only the parts of the document this server writes are encoded: info, paths
with their query parameters and vendor extensions, and the definitions. Vendor extensions travel as
``Any.yaml`` text, which JSON is.
"""

from __future__ import annotations

import json
from typing import Any

from .protobuf.wire import tagged, tagged_bool

Obj = dict[str, Any]
# What clients ask for (the ``@`` form is client-go's), and what kube-openapi's handler answers with: Go's
# mime parser rejects the ``@`` in a Content-Type (kube-openapi/pkg/handler/handler.go).
ACCEPTED = ("application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
            "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
MEDIA_TYPE = ACCEPTED[1]
_OPERATIONS = {"get": 2, "put": 3, "post": 4, "delete": 5, "patch": 8}  # PathItem fields


def _named(number: int, name: str, value: bytes) -> bytes:
    return tagged(number, tagged(1, name) + tagged(2, value))


def _extensions(number: int, obj: Obj) -> bytes:
    """Every ``x-`` key as a NamedAny whose Any carries the value as YAML (here: JSON) text."""
    return b"".join(_named(number, key, tagged(2, json.dumps(value)))
                    for key, value in obj.items() if key.startswith("x-"))


def schema(s: Obj) -> bytes:
    """A Schema message."""
    out = tagged(1, s["$ref"]) if "$ref" in s else b""
    out += tagged(2, s["format"]) if "format" in s else b""
    out += tagged(4, s["description"]) if "description" in s else b""
    out += b"".join(tagged(19, name) for name in s.get("required", []))
    if "additionalProperties" in s:
        out += tagged(21, tagged(1, schema(s["additionalProperties"])))
    out += tagged(22, tagged(1, s["type"])) if "type" in s else b""
    out += tagged(23, tagged(1, schema(s["items"]))) if "items" in s else b""
    if "properties" in s:
        out += tagged(25, b"".join(_named(1, name, schema(prop)) for name, prop in s["properties"].items()))
    return out + _extensions(31, s)


def _parameter(p: Obj) -> bytes:
    query = (tagged_bool(1, p.get("required", False)) + tagged(2, p["in"]) + tagged(3, p.get("description", ""))
             + tagged(4, p["name"]) + tagged(6, p["type"]) + tagged_bool(20, p.get("uniqueItems", False)))
    # ParametersItem.parameter -> Parameter.non_body_parameter -> NonBodyParameter.query_parameter_sub_schema
    return tagged(8, tagged(1, tagged(2, tagged(3, query))))


def _operation(op: Obj) -> bytes:
    out = b"".join(tagged(1, tag) for tag in op.get("tags", []))
    out += tagged(3, op.get("description", "")) + tagged(5, op["operationId"])
    out += b"".join(tagged(6, media) for media in op.get("produces", []))
    out += b"".join(tagged(7, media) for media in op.get("consumes", []))
    out += b"".join(_parameter(p) for p in op.get("parameters", []))
    responses = b"".join(_named(1, code, tagged(1, tagged(1, r["description"])))
                         for code, r in op.get("responses", {}).items())
    return out + tagged(9, responses) + _extensions(13, op)


def _path_item(item: Obj) -> bytes:
    return b"".join(tagged(_OPERATIONS[method], _operation(op)) for method, op in item.items())


def document(doc: Obj) -> bytes:
    """The gnostic Document of a v2 document shaped as openapi.py writes it."""
    info = tagged(1, doc["info"]["title"]) + tagged(2, doc["info"]["version"])
    paths = b"".join(_named(2, path, _path_item(item)) for path, item in doc["paths"].items())
    definitions = b"".join(_named(1, name, schema(s)) for name, s in doc["definitions"].items())
    return tagged(1, doc["swagger"]) + tagged(2, info) + tagged(8, paths) + tagged(9, definitions)
