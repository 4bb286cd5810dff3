"""Subresources: ``status``, ``pods/log``, ``pods/binding``, ``pods/eviction``, ``namespaces/finalize``,
``serviceaccounts/token``."""

from __future__ import annotations

from ..errors import ApiError, bad_request, method_not_allowed, qualified
from ..resources import NAMESPACE, POD
from ..store import now_rfc3339
from . import deletion, podlog, reads, tokenrequest, writes
from .context import ApiContext
from .messages import Obj, Reply, Request, Route, StreamReply, status_success


def _bind(ctx: ApiContext, req: Request, route: Route) -> Reply:
    binding = req.json_body()
    target = (binding.get("target") or {}).get("name", "")
    if not target:
        raise ApiError(
            422,
            "Invalid",
            f'Binding "{route.name}" is invalid: target.name: Required value',
            {
                "name": route.name,
                "kind": "Binding",
                "causes": [
                    {"reason": "FieldValueRequired", "message": "Required value", "field": "target.name"}
                ],
            },
        )

    def assign(pod: Obj) -> Obj:
        spec = pod.setdefault("spec", {})
        if spec.get("nodeName"):
            raise ApiError(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on pods/binding "{route.name}": pod '
                f'{route.name} is already assigned to node "{spec["nodeName"]}"',
                {"name": route.name, "kind": "pods/binding"},
            )
        if pod["metadata"].get("deletionTimestamp"):
            raise ApiError(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on pods/binding "{route.name}": pod '
                f"{route.name} is being deleted, cannot be assigned to a host",
                {"name": route.name, "kind": "pods/binding"},
            )
        spec["nodeName"] = target
        conditions = pod.setdefault("status", {}).setdefault("conditions", [])
        conditions[:] = [c for c in conditions if c.get("type") != "PodScheduled"]
        conditions.append(
            {
                "type": "PodScheduled",
                "status": "True",
                "lastProbeTime": None,
                "lastTransitionTime": now_rfc3339(),
            }
        )
        return pod

    ctx.store.update(POD, route.namespace, route.name, assign)
    return Reply(201, status_success(code=201))


def _evict(ctx: ApiContext, req: Request, route: Route) -> Reply:
    eviction = req.json_body()
    options = eviction.get("deleteOptions") or {}
    deletion.delete_object(ctx, POD, route.namespace, route.name, options, writes.dry_run(req))
    return Reply(201, status_success(code=201))


def _finalize(ctx: ApiContext, req: Request, route: Route) -> Reply:
    """PUT namespaces/{name}/finalize: set spec.finalizers; an emptied terminating namespace goes away."""
    body = req.json_body()
    finalizers = (body.get("spec") or {}).get("finalizers") or []

    def set_finalizers(ns: Obj) -> Obj:
        ns.setdefault("spec", {})["finalizers"] = finalizers
        return ns

    updated = ctx.store.update(NAMESPACE, "", route.name, set_finalizers)
    meta = updated["metadata"]
    if meta.get("deletionTimestamp") and not finalizers and not meta.get("finalizers"):
        ctx.store.delete(NAMESPACE, "", route.name)
    return Reply(200, updated)


def dispatch(ctx: ApiContext, req: Request, route: Route, verb: str) -> Reply | StreamReply:
    sub = route.subresource
    if sub == "log" and verb == "get":
        return podlog.pod_log(ctx, req, route)
    if sub == "status":
        if verb == "get":
            return reads.get(ctx, req, route)
        if verb == "update":
            return writes.update(ctx, req, route)
        if verb == "patch":
            return writes.patch(ctx, req, route)
    if sub == "binding" and verb == "create":
        return _bind(ctx, req, route)
    if sub == "eviction" and verb == "create":
        return _evict(ctx, req, route)
    if sub == "finalize" and verb == "update":
        return _finalize(ctx, req, route)
    if sub == "token" and verb == "create":
        return tokenrequest.create_token(ctx, req, route)
    if not route.name:
        raise bad_request(f"{qualified(route.rt.plural, route.rt.group)}/{sub} needs a name")
    raise method_not_allowed()
