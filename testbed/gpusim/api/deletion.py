"""DELETE and deletecollection: propagation policies, graceful pod deletion, finalizers, namespaces.

Only the API side: controllers elsewhere remove pods after their grace period, run the garbage
collector's ``orphan``/``foregroundDeletion`` finalizers and empty terminating namespaces.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..errors import ApiError, bad_request, qualified
from ..resources import CRONJOB, JOB, NAMESPACE, POD, SERVICE, ResourceType
from ..store import clone
from . import reads
from .context import ApiContext
from .messages import Obj, Reply, Request, Route, status_success
from .versioning import outgoing

ORPHAN, FOREGROUND = "orphan", "foregroundDeletion"
_POLICY_FINALIZERS = {"Orphan": ORPHAN, "Foreground": FOREGROUND}
_RETURNS_OBJECT = (POD, NAMESPACE, SERVICE)  # registries with ReturnDeletedObject
NAMESPACE_TERMINATING = (
    "The system is ensuring all content is removed from this namespace.  Upon completion, "
    "this namespace will automatically be purged by the system."
)


def _options(req: Request) -> Obj:
    options = req.json_body() if req.body.strip() else {}
    for name in ("propagationPolicy", "gracePeriodSeconds", "orphanDependents"):
        if name in req.query and name not in options:
            value: object = req.query[name]
            if name == "gracePeriodSeconds":
                value = req.int_param(name)
            elif name == "orphanDependents":
                value = req.flag(name)
            options[name] = value
    return options


def _policy(rt: ResourceType, options: Obj) -> str:
    policy = options.get("propagationPolicy")
    if policy is None and options.get("orphanDependents") is not None:
        policy = "Orphan" if options["orphanDependents"] else "Background"
    if policy is None:
        return "Orphan" if rt in (JOB, CRONJOB) else "Background"
    if policy not in ("Orphan", "Foreground", "Background"):
        raise ApiError(
            422,
            "Invalid",
            f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported '
            f'value: "{policy}": supported values: "Foreground", "Background", "Orphan"',
            {},
        )
    return str(policy)


def _check_preconditions(rt: ResourceType, obj: Obj, options: Obj) -> None:
    pre = options.get("preconditions") or {}
    meta = obj["metadata"]
    name = qualified(rt.plural, rt.group)
    for field, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
        if pre.get(field) and pre[field] != meta[field]:
            raise ApiError(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on {name} "{meta["name"]}": '
                f"Precondition failed: {label} in precondition: {pre[field]}, {label} in object meta: "
                f"{meta[field]}",
                {"name": meta["name"], "kind": rt.plural, **({"group": rt.group} if rt.group else {})},
            )


def _grace_seconds(rt: ResourceType, obj: Obj, options: Obj) -> int:
    """The pod strategy's CheckGracefulDelete; other kinds are deleted without grace."""
    if rt != POD:
        return 0
    spec, phase = obj.get("spec") or {}, (obj.get("status") or {}).get("phase")
    period = options.get("gracePeriodSeconds")
    if period is None:
        period = spec.get("terminationGracePeriodSeconds") or 0
    if not spec.get("nodeName") or phase in ("Succeeded", "Failed"):
        return 0
    return 1 if period < 0 else int(period)


def _timestamp(offset_seconds: int) -> str:
    return (datetime.now(UTC) + timedelta(seconds=offset_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _gone(rt: ResourceType, deleted: Obj) -> Obj:
    if rt in _RETURNS_OBJECT:
        return deleted
    meta = deleted["metadata"]
    details: Obj = {"name": meta["name"], "kind": rt.plural, "uid": meta["uid"]}
    if rt.group:
        details["group"] = rt.group
    return status_success(details=details)


def delete_object(
    ctx: ApiContext, rt: ResourceType, namespace: str, name: str, options: Obj, dry: bool
) -> Obj:
    """Delete one object now or mark it for deletion; returns the response body."""
    policy = _policy(rt, options)
    outcome: dict[str, Obj] = {}

    def mark(obj: Obj) -> Obj:
        _check_preconditions(rt, obj, options)
        meta = obj["metadata"]
        if rt == NAMESPACE:
            if meta.get("deletionTimestamp") and (obj.get("spec") or {}).get("finalizers"):
                raise ApiError(
                    409,
                    "Conflict",
                    f'Operation cannot be fulfilled on namespaces "{name}": {NAMESPACE_TERMINATING}',
                    {"name": name, "kind": "namespaces"},
                )
            obj.setdefault("status", {})["phase"] = "Terminating"
        finalizers = [f for f in meta.get("finalizers") or [] if f not in (ORPHAN, FOREGROUND)]
        if policy in _POLICY_FINALIZERS:
            finalizers.append(_POLICY_FINALIZERS[policy])
        grace = _grace_seconds(rt, obj, options)
        lingering = (
            bool(finalizers) or grace > 0 or (rt == NAMESPACE and (obj.get("spec") or {}).get("finalizers"))
        )
        if not lingering:
            outcome["remove"] = obj
            return obj
        if finalizers:
            meta["finalizers"] = finalizers
        if not meta.get("deletionTimestamp") or grace < (meta.get("deletionGracePeriodSeconds") or 0):
            meta["deletionTimestamp"] = _timestamp(grace)
            meta["deletionGracePeriodSeconds"] = grace
        return obj

    if dry:
        current = ctx.store.get(rt, namespace, name)
        marked = mark(current)
        return _gone(rt, marked) if "remove" in outcome else marked
    updated = ctx.store.update(rt, namespace, name, mark)
    if "remove" not in outcome:
        return updated
    return _gone(rt, ctx.store.delete(rt, namespace, name))


def delete(ctx: ApiContext, req: Request, route: Route) -> Reply:
    options = _options(req)
    body = delete_object(
        ctx, route.rt, route.namespace, route.name, options, req.query.get("dryRun") == "All"
    )
    return Reply(200, outgoing(route, body))


def delete_collection(ctx: ApiContext, req: Request, route: Route) -> Reply:
    if route.rt == NAMESPACE:
        raise ApiError(
            405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {}
        )
    if req.flag("watch"):
        raise bad_request("watch is not supported on deletecollection")
    items, metadata = reads.list_page(ctx, req, route)
    options, dry = _options(req), req.query.get("dryRun") == "All"
    deleted = []
    for item in items:
        meta = item["metadata"]
        try:
            result = delete_object(ctx, route.rt, meta.get("namespace", ""), meta["name"], options, dry)
        except ApiError as err:
            if err.code == 404:
                continue
            raise
        deleted.append(outgoing(route, result if result.get("kind") != "Status" else clone(item)))
    return Reply(
        200, {"kind": route.rt.list_kind, "apiVersion": route.api_version, "metadata": metadata, "items": deleted}
    )
