"""POST, PUT and PATCH of whole objects: defaulting, validation, status protection, dry runs."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from .. import defaults
from ..errors import already_exists, bad_request, conflict, not_found
from ..quantities import canonicalise_quantities
from ..resources import JOB, NAMESPACE, ResourceType
from ..store import clone, now_rfc3339
from . import admission, field_validation, resource_defaults, server_side_apply, validation
from .context import ApiContext
from .messages import Obj, Reply, Request, Route
from .patch import APPLY, apply_patch, media_type
from .versioning import body_version, field_warnings, incoming, outgoing

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


def _manager(req: Request) -> str:
    return req.query.get("fieldManager", "")


def create(ctx: ApiContext, req: Request, route: Route) -> Reply:
    return _create(ctx, req, route, req.json_body(), applied=False)


def _create(ctx: ApiContext, req: Request, route: Route, body: Obj, *, applied: bool) -> Reply:
    """Create ``body``; ``applied``: it is a server-side apply's result, whose managedFields are set."""
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
    if not applied:
        server_side_apply.record_update(rt, None, obj, _manager(req), route.api_version)
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


def _write(ctx: ApiContext, req: Request, route: Route, change: Callable[[Obj], Obj], *,
           applied: bool = False) -> Reply:
    """Atomically turn the stored object into ``change(old)``; a dry run only computes it. ``applied``:
    ``change`` is a server-side apply, which keeps the managedFields itself."""
    rt = route.rt
    status_only = route.subresource == "status"
    warnings: list[str] = []

    def mutate(old: Obj) -> Obj:
        new = change(clone(old))
        wanted_rv = new.get("metadata", {}).get("resourceVersion")
        if wanted_rv and wanted_rv != old["metadata"]["resourceVersion"]:
            raise conflict(rt.plural, rt.group, route.name)
        result, warnings[:] = _prepare_update(ctx, rt, old, new, status_only=status_only)
        if not (applied or status_only):
            server_side_apply.record_update(rt, old, result, _manager(req), route.api_version)
        return result

    if dry_run(req):
        result = mutate(ctx.store.get(rt, route.namespace, route.name))
        return Reply(200, outgoing(route, result), warnings=warnings)

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
    if media_type(content_type) == APPLY and not route.subresource:
        return _server_side_apply(ctx, req, route)

    dropped: list[str] = []

    def patched(old: Obj) -> Obj:
        result = apply_patch(outgoing(route, old), content_type, req.body)
        dropped[:] = field_validation.check_patched(route.rt, body_version(route, result), result,
                                                    req.query.get("fieldValidation", "") or "Warn")
        new = incoming(route, result)
        _check_identity(req, route, new)
        return new

    reply = _write(ctx, req, route, patched)
    reply.warnings[:0] = dropped
    return reply


def _server_side_apply(ctx: ApiContext, req: Request, route: Route) -> Reply:
    """An apply patch: create the object when it is missing, else apply it over the stored one."""
    applied = server_side_apply.parse_applied(req.body)
    field_validation.check_applied(route.rt, body_version(route, applied), applied, route.namespace, route.name)
    applied_stored = incoming(route, clone(applied))
    manager, force = _manager(req), req.flag("force")

    def apply_to(old: Obj | None) -> Obj:
        result = server_side_apply.apply(route.rt, old, applied_stored, manager, force=force,
                                         api_version=route.api_version)
        _check_identity(req, route, result)
        return result

    if ctx.store.find(route.rt, route.namespace, route.name) is None:
        return _create(ctx, req, route, apply_to(None), applied=True)
    return _write(ctx, req, route, apply_to, applied=True)
