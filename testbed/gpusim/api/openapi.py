"""/openapi/v2 and /openapi/v3: the served paths and the kinds' schemas, from one schema source (schemas.py).

kubectl 1.27 and 1.28 read /openapi/v2 (as protobuf, see openapi_proto.py) before any apply or create,
and later ones /openapi/v3 for explain, field-validation support and strategic merge patch metadata.
As on a real apiserver, every operation lists its query parameters (``fieldValidation`` tells kubectl it
may leave validation to the server) and each kind's definition carries ``x-kubernetes-group-version-kind``.
v3 documents are per group version and name their schemas under ``components``. A property that refers
to another schema has no description of its own (the Python client keeps none for them), so kubectl explain
shows the referred type's: "PodSpec is a description of a pod." where a real server also says what ``spec``
of a Pod is, and the apiserver's ``allOf`` wrapping of described references never arises.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from ..resources import ResourceType
from . import openapi_proto, schemas
from .messages import Obj, Reply, Request
from .served import ServedApis

_WRITE_PARAMS = ("dryRun", "fieldManager", "fieldValidation")
_INFO = {"title": "Kubernetes", "version": "unversioned"}


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _group_versions(served: ServedApis) -> list[tuple[str, str]]:
    return [("", "v1"), *((g, v) for g, versions in served.groups() for v in versions)]


def _definitions(served: ServedApis) -> tuple[dict[str, Obj], dict[tuple[str, str, str], str]]:
    """The schemas of every served kind, core first: a shared type is named after the core package."""
    kinds = tuple((g, v, rt.kind) for g, v in _group_versions(served) for rt in served.kinds(g, v))
    return schemas.definitions(kinds)


def _parameters(names: tuple[str, ...], v2: bool) -> list[Obj]:
    if v2:
        return [{"in": "query", "name": p, "type": "string", "uniqueItems": True} for p in names]
    return [{"in": "query", "name": p, "schema": {"type": "string", "uniqueItems": True}} for p in names]


def _operation(rt: ResourceType, version: str, action: str, op_id: str, params: tuple[str, ...], v2: bool) -> Obj:
    return {
        "description": f"{action} {rt.kind}",
        "operationId": op_id,
        "parameters": _parameters(params, v2),
        "responses": {"200": {"description": "OK"}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": rt.group, "version": version, "kind": rt.kind},
    }


def _paths(rt: ResourceType, version: str, v2: bool) -> dict[str, Obj]:
    prefix = "/" + _gv_path(rt.group, version)
    scope = f"{prefix}/namespaces/{{namespace}}/{rt.plural}" if rt.namespaced else f"{prefix}/{rt.plural}"
    group_part = "".join(p.capitalize() for p in rt.group.split(".")[:1]) or "Core"
    base = f"{group_part}{version.capitalize()}{'Namespaced' if rt.namespaced else ''}{rt.kind}"
    if not rt.stored:  # a review: create only
        return {scope: {"post": _operation(rt, version, "post", f"create{base}", _WRITE_PARAMS, v2)}}
    return {
        scope: {
            "get": _operation(rt, version, "list", f"list{base}", ("labelSelector", "fieldSelector", "limit"), v2),
            "post": _operation(rt, version, "post", f"create{base}", _WRITE_PARAMS, v2),
        },
        f"{scope}/{{name}}": {
            "get": _operation(rt, version, "get", f"read{base}", (), v2),
            "put": _operation(rt, version, "put", f"replace{base}", _WRITE_PARAMS, v2),
            "patch": _operation(rt, version, "patch", f"patch{base}", (*_WRITE_PARAMS, "force"), v2),
            "delete": _operation(
                rt, version, "delete", f"delete{base}", ("dryRun", "gracePeriodSeconds", "propagationPolicy"), v2
            ),
        },
    }


def _v3_schema(s: Any) -> Any:
    """A v2 schema in v3 form: references under components."""
    if isinstance(s, list):
        return [_v3_schema(x) for x in s]
    if not isinstance(s, dict):
        return s
    if isinstance(s.get("$ref"), str):  # not JSONSchemaProps' property named "$ref"
        return {"$ref": s["$ref"].replace("#/definitions/", "#/components/schemas/")}
    return {k: _v3_schema(v) for k, v in s.items()}


def _reached(defs: dict[str, Obj], roots: list[str]) -> dict[str, Obj]:
    """The definitions the roots refer to, directly or not."""
    found: dict[str, Obj] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found[name] = defs[name]
        text = json.dumps(defs[name])
        todo += [part.split('"')[0] for part in text.split('"$ref": "#/definitions/')[1:]]
    return dict(sorted(found.items()))


@cache
def _v3_documents(served: ServedApis) -> dict[str, bytes]:
    docs: dict[str, bytes] = {}
    for group, version in _group_versions(served):
        paths: dict[str, Obj] = {}
        for rt in served.kinds(group, version):
            paths.update(_paths(rt, version, v2=False))
        defs, names = _definitions(served)
        roots = [names[(group, version, rt.kind)] for rt in served.kinds(group, version)
                 if (group, version, rt.kind) in names]
        components = {name: _v3_schema(s) for name, s in _reached(defs, roots).items()}
        doc = {"openapi": "3.0.0", "info": _INFO, "paths": paths, "components": {"schemas": components}}
        docs[_gv_path(group, version)] = json.dumps(doc, separators=(",", ":")).encode()
    return docs


@cache
def v2_document(served: ServedApis) -> Obj:
    """The whole API in one Swagger 2.0 document."""
    paths: dict[str, Obj] = {}
    for group, version in _group_versions(served):
        for rt in served.kinds(group, version):
            paths.update(_paths(rt, version, v2=True))
    defs, _ = _definitions(served)
    return {"swagger": "2.0", "info": _INFO, "paths": paths, "definitions": dict(sorted(defs.items()))}


@cache
def _v2_bodies(served: ServedApis) -> tuple[bytes, bytes]:
    doc = v2_document(served)
    return json.dumps(doc, separators=(",", ":")).encode(), openapi_proto.document(doc)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha512(body).hexdigest()[:128].upper() + '"'


def _v2(served: ServedApis, req: Request) -> Reply:
    """JSON, or gnostic protobuf when the client accepts it (kubectl asks only for that)."""
    as_json, as_proto = _v2_bodies(served)
    accepted = [a.split(";")[0].strip() for a in req.header("accept").split(",")]
    if any(media in accepted for media in openapi_proto.ACCEPTED):
        body, media = as_proto, openapi_proto.MEDIA_TYPE
    else:
        body, media = as_json, "application/json"
    return Reply(200, body, media, headers={"ETag": _etag(body), "Vary": "Accept"})


def _index(served: ServedApis) -> Obj:
    entries = {}
    for path, body in _v3_documents(served).items():
        digest = hashlib.sha512(body).hexdigest()[:128].upper()
        entries[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": entries}


def document(served: ServedApis, req: Request, parts: list[str]) -> Reply | None:
    """``/openapi/v2``, ``/openapi/v3`` (the index) or ``/openapi/v3/{api/v1|apis/g/v}``; None for others."""
    if parts == ["v2"]:
        return _v2(served, req)
    if not parts or parts[0] != "v3":
        return None
    if len(parts) == 1:
        return Reply(200, _index(served))
    body = _v3_documents(served).get("/".join(parts[1:]))
    return None if body is None else Reply(200, body, headers={"Cache-Control": "public, immutable"})
