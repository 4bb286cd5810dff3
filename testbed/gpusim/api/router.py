"""Maps a request's method and path to the endpoint that answers it, after authorization."""

from __future__ import annotations

from ..authz import Attributes
from ..errors import ApiError, method_not_allowed
from ..resources import NAMESPACE
from . import deletion, discovery, openapi, reads, reviews, subresources, watching, writes
from .auth import forbidden
from .context import ApiContext
from .messages import Reply, Request, Route, StreamReply
from .served import ServedApis

NOT_FOUND = ApiError(404, "NotFound", "the server could not find the requested resource", {})
_HEALTH = ("/healthz", "/livez", "/readyz")


def parse_resource_path(path: str, served: ServedApis) -> Route | None:
    """``/api/v1/...`` or ``/apis/{group}/{version}/...`` into a Route; None when no served resource matches."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 3 and parts[0] == "api" and parts[1] == "v1":
        group, version, rest = "", "v1", parts[2:]
    elif len(parts) >= 4 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    legacy_watch = rest[0] == "watch"
    if legacy_watch:
        rest = rest[1:]
    namespace = ""
    if len(rest) >= 3 and rest[0] == "namespaces":
        inner = served.lookup(group, version, rest[2])
        if inner is not None and inner.namespaced:
            namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        return None
    rt = served.lookup(group, version, rest[0])
    if rt is None:
        return None
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 else ""
    if sub and sub not in rt.subresources:
        return None
    if rt.namespaced is False and namespace:
        return None
    return Route(rt, namespace, name, sub, legacy_watch, "" if version == rt.version else version)


def _verb(req: Request, route: Route) -> str:
    watch = route.legacy_watch or req.flag("watch")
    if req.method == "GET":
        if route.name:
            return "watch" if watch else "get"
        return "watch" if watch else "list"
    return {
        "POST": "create",
        "PUT": "update",
        "PATCH": "patch",
        "DELETE": "delete" if route.name else "deletecollection",
    }.get(req.method, req.method.lower())


def _selected_name(req: Request) -> str:
    """The name a list or watch is limited to by ``fieldSelector=metadata.name=x`` (RequestInfo does this)."""
    for term in req.query.get("fieldSelector", "").split(","):
        key, op, value = term.partition("==") if "==" in term else term.partition("=")
        if op and key.strip() == "metadata.name" and not key.endswith("!"):
            return value.strip()
    return ""


def request_attributes(req: Request, route: Route, verb: str) -> Attributes:
    """What the authorizer is asked; a namespace object is "in" itself, as RequestInfo has it."""
    rt, namespace, name = route.rt, route.namespace, route.name
    if rt == NAMESPACE and name:
        namespace = name
    if not name and verb in ("list", "watch"):
        name = _selected_name(req)
    return Attributes(req.user, verb, rt.group, rt.plural, route.subresource, namespace, name)


class Router:
    def __init__(self, ctx: ApiContext, server_address: str) -> None:
        self.ctx = ctx
        self.server_address = server_address

    def _authorize(self, attrs: Attributes) -> None:
        decision = self.ctx.authorize(attrs)
        if not decision.allowed:
            raise forbidden(attrs, decision.reason)

    def dispatch(self, req: Request) -> Reply | StreamReply:
        route = parse_resource_path(req.path, self.ctx.served)
        if route is None:
            # As this server always has, a trailing slash does not make another path (``/version/`` is
            # authorized, and refused, as ``/version``); the real apiserver tells them apart.
            self._authorize(Attributes(req.user, req.method.lower(), path=req.path.rstrip("/") or "/"))
            return self._non_resource(req)
        verb = _verb(req, route)
        self._authorize(request_attributes(req, route, verb))
        return self._resource(req, route, verb)

    def _resource(self, req: Request, route: Route, verb: str) -> Reply | StreamReply:
        ctx = self.ctx
        if not route.rt.stored:
            if verb != "create" or route.name:
                raise method_not_allowed()
            return reviews.create(ctx, req, route)
        if route.subresource:
            return subresources.dispatch(ctx, req, route, verb)
        if verb == "watch":
            return watching.watch(ctx, req, route)
        handlers = {
            "get": reads.get,
            "list": reads.list_objects,
            "create": writes.create,
            "update": writes.update,
            "patch": writes.patch,
            "delete": deletion.delete,
            "deletecollection": deletion.delete_collection,
        }
        handler = handlers.get(verb)
        if handler is None:
            raise method_not_allowed()
        if route.name and verb == "create":
            raise method_not_allowed()
        return handler(ctx, req, route)

    def _non_resource(self, req: Request) -> Reply:
        path = req.path.rstrip("/") or "/"
        if req.method != "GET":
            raise NOT_FOUND if req.method != "HEAD" else method_not_allowed()
        if path == "/version":
            return Reply(200, discovery.version_info(self.ctx.version))
        if path in _HEALTH or path.startswith(tuple(h + "/" for h in _HEALTH)):
            return Reply(200, b"ok", "text/plain; charset=utf-8")
        document = self._discovery(req, path) if path.startswith(("/api", "/openapi")) else None
        if document is None:
            raise NOT_FOUND
        return document

    def _discovery(self, req: Request, path: str) -> Reply | None:
        parts = [p for p in path.split("/") if p]
        doc = None
        if parts == ["api"]:
            doc = discovery.api_versions(self.server_address)
        elif parts == ["api", "v1"]:
            doc = discovery.api_resource_list(self.ctx.served, "", "v1")
        elif parts == ["apis"]:
            doc = discovery.api_group_list(self.ctx.served)
        elif len(parts) == 2 and parts[0] == "apis":
            doc = discovery.api_group(self.ctx.served, parts[1])
        elif len(parts) == 3 and parts[0] == "apis":
            doc = discovery.api_resource_list(self.ctx.served, parts[1], parts[2])
        elif parts[0] == "openapi":
            return openapi.document(self.ctx.served, req, parts[1:])
        return None if doc is None else Reply(200, doc)
