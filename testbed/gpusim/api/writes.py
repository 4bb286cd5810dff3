"""POST, PUT and PATCH of whole objects: defaulting, validation, status protection, dry runs."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from .. import defaults
from ..errors import already_exists, bad_request, conflict, not_found
from ..quantities import canonicalise_quantities
from ..resources import JOB, NAMESPACE, ResourceType
from ..store import clone, now_rfc3339
from . import admission, resource_defaults, validation
from .context import ApiContext
from .messages import Obj, Reply, Request, Route
from .patch import apply_patch
from .versioning import field_warnings, incoming, outgoing

NAMESPACE_MISMATCH = "the namespace of the provided object does not match the namespace sent on the request"
_SYSTEM_FIELDS = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation")


def dry_run(req: Request) -> bool:
    return req.query.get("dryRun") == "All"


def _check_identity(req: Request, route: Route, obj: Obj) -> Obj:
    meta = obj.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise bad_request("metadata must be an object")
    if route.rt.namespaced:
        if meta.get("namespace") and meta["namespace"] != route.namespace:
            raise bad_request(NAMESPACE_MISMATCH)
        meta["namespace"] = route.namespace
    else:
        meta.pop("namespace", None)
    if route.name and meta.get("name", route.name) != route.name:
        raise bad_request(
            f"the name of the object ({meta['name']}) does not match the name on the URL ({route.name})"
        )
    if route.name:
        meta["name"] = route.name
    return meta


def create(ctx: ApiContext, req: Request, route: Route) -> Reply:
    body = req.json_body()
    dropped = field_warnings(route, body, req.query.get("fieldValidation", ""))
    obj = incoming(route, body)
    meta = _check_identity(req, route, obj)
    for field in (*_SYSTEM_FIELDS, "resourceVersion"):
        meta.pop(field, None)
    rt = route.rt
    if not meta.get("name") and meta.get("generateName"):  # first, as the registry does: Jobs label with it
        meta["name"] = ctx.store.generate_name(rt, route.namespace, meta["generateName"])
    if not ctx.served.resource:
        resource_defaults.drop_claims_without_dra(rt, obj)
    defaults.apply_defaults(rt, obj, creating=True)
    resource_defaults.apply(rt, obj, creating=True)
    if rt == JOB:
        meta["uid"] = str(uuid.uuid4())
        defaults.job_selector(obj)
    admission.mutate_new(ctx.store, rt, obj)
    validation.validate(rt, obj)
    admit, warnings = admission.validate_new(ctx.store, rt, obj)
    if dry_run(req):
        if rt.namespaced and ctx.store.find(NAMESPACE, "", route.namespace) is None:
            raise not_found("namespaces", "", route.namespace)
        if admit is not None:
            admit(obj)
        if meta.get("name") and ctx.store.find(rt, route.namespace, meta["name"]) is not None:
            raise already_exists(rt.plural, rt.group, meta["name"])
        meta.setdefault("uid", str(uuid.uuid4()))
        meta["creationTimestamp"] = now_rfc3339()
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        return Reply(201, outgoing(route, obj), warnings=dropped + warnings)
    return Reply(201, outgoing(route, ctx.store.create(rt, obj, admit)), warnings=dropped + warnings)


def _keep_server_owned(rt: ResourceType, old: Obj, new: Obj) -> None:
    """What a main-resource write may not change: status (its own subresource), deletion, finalizers."""
    for field in ("deletionTimestamp", "deletionGracePeriodSeconds"):
        if field in old["metadata"]:
            new["metadata"][field] = old["metadata"][field]
    if "status" in rt.subresources:
        if "status" in old:
            new["status"] = old["status"]
        else:
            new.pop("status", None)
    if rt == NAMESPACE:
        new.setdefault("spec", {})["finalizers"] = (old.get("spec") or {}).get("finalizers", [])


def _prepare_update(ctx: ApiContext, rt: ResourceType, old: Obj, new: Obj, *,
                    status_only: bool) -> tuple[Obj, list[str]]:
    """The object to store and the admission warnings for it."""
    if status_only:
        result: Obj = clone(old)
        result["status"] = new.get("status", {})
        canonicalise_quantities(rt, result)
        return result, []
    _keep_server_owned(rt, old, new)
    if not ctx.served.resource:
        resource_defaults.drop_claims_without_dra(rt, new)
    defaults.apply_defaults(rt, new, creating=False)
    resource_defaults.apply(rt, new, creating=False)
    validation.validate(rt, new)
    stored = clone(old)  # the apiserver defaults what it reads from storage too
    defaults.apply_defaults(rt, stored, creating=False)
    validation.validate_update(rt, stored, new)
    return new, admission.validate_update(ctx.store, rt, stored, new)


def _write(ctx: ApiContext, req: Request, route: Route, change: Callable[[Obj], Obj]) -> Reply:
    """Atomically turn the stored object into ``change(old)``; a dry run only computes it."""
    rt = route.rt
    status_only = route.subresource == "status"
    if dry_run(req):
        old = ctx.store.get(rt, route.namespace, route.name)
        result, found = _prepare_update(ctx, rt, old, change(clone(old)), status_only=status_only)
        return Reply(200, outgoing(route, result), warnings=found)
    warnings: list[str] = []

    def mutate(old: Obj) -> Obj:
        new = change(clone(old))
        wanted_rv = new.get("metadata", {}).get("resourceVersion")
        if wanted_rv and wanted_rv != old["metadata"]["resourceVersion"]:
            raise conflict(rt.plural, rt.group, route.name)
        result, warnings[:] = _prepare_update(ctx, rt, old, new, status_only=status_only)
        return result

    return Reply(200, outgoing(route, ctx.store.update(rt, route.namespace, route.name, mutate)), warnings=warnings)


def update(ctx: ApiContext, req: Request, route: Route) -> Reply:
    body = req.json_body()
    dropped = field_warnings(route, body, req.query.get("fieldValidation", ""))
    incoming(route, body)
    _check_identity(req, route, body)

    def replace(old: Obj) -> Obj:
        for field in ("uid", "creationTimestamp"):
            body["metadata"][field] = old["metadata"][field]
        copy: Obj = clone(body)
        return copy

    reply = _write(ctx, req, route, replace)
    reply.warnings[:0] = dropped
    return reply


def patch(ctx: ApiContext, req: Request, route: Route) -> Reply:
    content_type = req.header("content-type")

    def patched(old: Obj) -> Obj:
        new = incoming(route, apply_patch(outgoing(route, old), content_type, req.body))
        _check_identity(req, route, new)
        return new

    return _write(ctx, req, route, patched)
