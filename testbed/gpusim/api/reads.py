"""GET of one object and of lists: selectors, ``limit``/``continue`` pagination, server-side tables."""

from __future__ import annotations

import base64
import json
from typing import Any

from ..errors import bad_request, not_found
from ..resources import ResourceType
from ..selectors import Predicate, parse_field_selector, parse_label_selector
from . import tables
from .context import ApiContext
from .messages import Obj, Reply, Request, Route
from .versioning import outgoing


def predicate(req: Request, rt: ResourceType) -> Predicate | None:
    labels, fields = req.query.get("labelSelector"), req.query.get("fieldSelector")
    if not labels and not fields:
        return None
    by_label, by_field = parse_label_selector(labels), parse_field_selector(fields, rt.key)
    return lambda obj: by_label(obj) and by_field(obj)


def get(ctx: ApiContext, req: Request, route: Route) -> Reply:
    obj = ctx.store.find(route.rt, route.namespace, route.name)
    if obj is None:
        raise not_found(route.rt.plural, route.rt.group, route.name)
    obj = outgoing(route, obj)
    if tables.wanted(req):
        return Reply(200, tables.table(route.rt, [obj], req, obj["metadata"]["resourceVersion"]))
    return Reply(200, obj)


def _encode_continue(rv: str, last: Obj) -> str:
    meta = last["metadata"]
    start = f"{meta.get('namespace', '')}/{meta['name']}\x00"
    token = json.dumps({"v": "meta.k8s.io/v1", "rv": int(rv), "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")


def _decode_continue(token: str) -> tuple[str, tuple[str, str]]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        namespace, _, name = data["start"].rstrip("\x00").partition("/")
        return str(data["rv"]), (namespace, name)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise bad_request(f"continue key is not valid: {exc}") from exc


def list_page(ctx: ApiContext, req: Request, route: Route) -> tuple[list[Obj], Obj]:
    """The items of one page and the list's metadata (resourceVersion, continue, remainingItemCount)."""
    items, rv = ctx.store.list(route.rt, route.namespace or None, predicate(req, route.rt))
    limit = req.int_param("limit") or 0
    token = req.query.get("continue", "")
    metadata: Obj = {"resourceVersion": rv}
    if token:
        list_rv, after = _decode_continue(token)
        items = [o for o in items if (o["metadata"].get("namespace", ""), o["metadata"]["name"]) > after]
        metadata["resourceVersion"] = list_rv
    if 0 < limit < len(items):
        remaining = len(items) - limit
        items = items[:limit]
        metadata["continue"] = _encode_continue(metadata["resourceVersion"], items[-1])
        metadata["remainingItemCount"] = remaining
    return items, metadata


def list_objects(ctx: ApiContext, req: Request, route: Route) -> Reply:
    items, metadata = list_page(ctx, req, route)
    items = [outgoing(route, item) for item in items]
    if tables.wanted(req):
        body: Any = tables.table(route.rt, items, req, metadata["resourceVersion"])
        body["metadata"] = metadata
        return Reply(200, body)
    return Reply(
        200, {"kind": route.rt.list_kind, "apiVersion": route.api_version, "metadata": metadata, "items": items}
    )
