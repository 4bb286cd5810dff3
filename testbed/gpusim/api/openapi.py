"""A minimal but truthful OpenAPI v3: the paths and operations, without the type schemas.

kubectl reads it to learn that PATCH (and so create/update) accepts ``fieldValidation``, then leaves
field validation to the server. The PATCH operations list no request body, so kubectl builds
strategic merge patches from its compiled-in types, as it does for a server without OpenAPI v3 schemas.
OpenAPI v2 is not served (404), as on an apiserver with it disabled.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from ..resources import ResourceType
from .messages import Obj, Reply
from .served import ServedApis

_WRITE_PARAMS = ("dryRun", "fieldManager", "fieldValidation")


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _operation(rt: ResourceType, version: str, action: str, op_id: str, params: tuple[str, ...]) -> Obj:
    return {
        "operationId": op_id,
        "parameters": [
            {"name": p, "in": "query", "schema": {"type": "string", "uniqueItems": True}} for p in params
        ],
        "responses": {"200": {"description": "OK"}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": rt.group, "version": version, "kind": rt.kind},
    }


def _paths(rt: ResourceType, version: str) -> dict[str, Obj]:
    prefix = "/" + _gv_path(rt.group, version)
    scope = f"{prefix}/namespaces/{{namespace}}/{rt.plural}" if rt.namespaced else f"{prefix}/{rt.plural}"
    group_part = "".join(p.capitalize() for p in rt.group.split(".")[:1]) or "Core"
    base = f"{group_part}{version.capitalize()}{'Namespaced' if rt.namespaced else ''}{rt.kind}"
    return {
        scope: {
            "get": _operation(rt, version, "list", f"list{base}", ("labelSelector", "fieldSelector", "limit")),
            "post": _operation(rt, version, "post", f"create{base}", _WRITE_PARAMS),
        },
        f"{scope}/{{name}}": {
            "get": _operation(rt, version, "get", f"read{base}", ()),
            "put": _operation(rt, version, "put", f"replace{base}", _WRITE_PARAMS),
            "patch": _operation(rt, version, "patch", f"patch{base}", (*_WRITE_PARAMS, "force")),
            "delete": _operation(
                rt, version, "delete", f"delete{base}", ("dryRun", "gracePeriodSeconds", "propagationPolicy")
            ),
        },
    }


@cache
def _documents(served: ServedApis) -> dict[str, bytes]:
    docs: dict[str, bytes] = {}
    group_versions = [("", "v1"), *((g, v) for g, versions in served.groups() for v in versions)]
    for group, version in group_versions:
        paths: dict[str, Obj] = {}
        for rt in served.kinds(group, version):
            paths.update(_paths(rt, version))
        doc = {
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": "unversioned"},
            "paths": paths,
            "components": {"schemas": {}},
        }
        docs[_gv_path(group, version)] = json.dumps(doc, separators=(",", ":")).encode()
    return docs


def _index(served: ServedApis) -> Obj:
    entries = {}
    for path, body in _documents(served).items():
        digest = hashlib.sha512(body).hexdigest()[:128].upper()
        entries[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": entries}


def document(served: ServedApis, parts: list[str]) -> Reply | None:
    """``/openapi/v3`` (the index) or ``/openapi/v3/{api/v1|apis/g/v}``; None for anything else."""
    if not parts or parts[0] != "v3":
        return None
    if len(parts) == 1:
        return Reply(200, _index(served))
    body = _documents(served).get("/".join(parts[1:]))
    return None if body is None else Reply(200, body, headers={"Cache-Control": "public, immutable"})
