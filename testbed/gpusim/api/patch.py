"""The three patch formats a PATCH request may carry: JSON merge, JSON patch (RFC 6902), strategic merge."""

from __future__ import annotations

import json
from typing import Any

from ..errors import ApiError, bad_request
from ..store import clone
from .strategic import apply_strategic

Obj = dict[str, Any]

MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
APPLY = "application/apply-patch+yaml"
_SUPPORTED = (JSON_PATCH, MERGE, STRATEGIC, APPLY)  # apply patches go to server_side_apply.py


def unsupported_media_type() -> ApiError:
    return ApiError(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media "
        f"types include: {', '.join(_SUPPORTED)}",
        {},
    )


def media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def apply_patch(original: Obj, content_type: str, body: bytes) -> Obj:
    """A new object with the patch applied; ``original`` is not modified."""
    media = media_type(content_type)
    if media not in _SUPPORTED or media == APPLY:
        raise unsupported_media_type()
    try:
        patch = json.loads(body or b"null")
    except ValueError as exc:
        raise bad_request(f"error decoding patch: {exc}") from exc
    if media == JSON_PATCH:
        if not isinstance(patch, list):
            raise bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        return apply_json_patch(original, patch)
    if not isinstance(patch, dict):
        raise bad_request("json: cannot unmarshal array into Go value of type map[string]interface {}")
    if media == MERGE:
        result = merge_patch(original, patch)
        assert isinstance(result, dict)
        return result
    return apply_strategic(original, patch)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch; ``target`` is not modified."""
    if not isinstance(patch, dict):
        return clone(patch)
    result = clone(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise _patch_error(f'invalid JSON pointer "{path}"')
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _patch_error(message: str) -> ApiError:
    return ApiError(422, "Invalid", message, {})


def _parent(doc: Any, parts: list[str], path: str) -> tuple[Any, str]:
    node = doc
    for part in parts[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise _patch_error(f'doc is missing path: "{path}": missing value')
    return node, parts[-1]


def _get(doc: Any, path: str) -> Any:
    parts = _pointer(path)
    if not parts:
        return doc
    node, last = _parent(doc, parts, path)
    if isinstance(node, dict) and last in node:
        return node[last]
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        return node[int(last)]
    raise _patch_error(f'doc is missing path: "{path}": missing value')


def _remove(doc: Any, path: str) -> Any:
    value = _get(doc, path)
    node, last = _parent(doc, _pointer(path), path)
    if isinstance(node, dict):
        del node[last]
    else:
        del node[int(last)]
    return value


def _add(doc: Any, path: str, value: Any, replace: bool) -> Any:
    parts = _pointer(path)
    if not parts:
        return value
    node, last = _parent(doc, parts, path)
    if isinstance(node, dict):
        if replace and last not in node:
            raise _patch_error(f"replace operation does not apply: doc is missing key: {path}: missing value")
        node[last] = value
    elif isinstance(node, list):
        if last == "-" and not replace:
            node.append(value)
        elif last.isdigit() and int(last) <= len(node) - (1 if replace else 0):
            if replace:
                node[int(last)] = value
            else:
                node.insert(int(last), value)
        else:
            raise _patch_error(f"Unable to access invalid index: {last}: invalid index referenced")
    else:
        raise _patch_error(f'doc is missing path: "{path}": missing value')
    return doc


def apply_json_patch(original: Obj, operations: list[Any]) -> Obj:
    doc: Any = clone(original)
    for op in operations:
        if not isinstance(op, dict):
            raise bad_request("json patch operation must be an object")
        kind, path = op.get("op"), op.get("path", "")
        if kind in ("add", "replace"):
            doc = _add(doc, path, clone(op.get("value")), replace=kind == "replace")
        elif kind == "remove":
            _remove(doc, path)
        elif kind in ("move", "copy"):
            value = (
                _remove(doc, op.get("from", "")) if kind == "move" else clone(_get(doc, op.get("from", "")))
            )
            doc = _add(doc, path, value, replace=False)
        elif kind == "test":
            if _get(doc, path) != op.get("value"):
                raise _patch_error(f"testing value {path} failed: test failed")
        else:
            raise _patch_error(f"Unexpected kind: {kind}")
    if not isinstance(doc, dict):
        raise bad_request("json patch must leave an object")
    result: Obj = doc
    return result
