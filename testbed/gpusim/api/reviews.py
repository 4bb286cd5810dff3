"""Create-only reviews answered from the authorizer, never stored: ``kubectl auth can-i`` (and ``--list``),
SubjectAccessReview, LocalSubjectAccessReview and ``kubectl auth whoami`` (SelfSubjectReview)."""

from __future__ import annotations

from typing import Any

from ..authz import Attributes
from ..errors import bad_request, invalid
from ..identity import MASTERS, UserInfo
from ..rbac.authorizer import RbacAuthorizer
from .context import ApiContext
from .messages import Obj, Reply, Request, Route

_EITHER = "exactly one of nonResourceAttributes or resourceAttributes must be specified"
_EVERYTHING_RESOURCES = {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}
_EVERYTHING_URLS = {"verbs": ["*"], "nonResourceURLs": ["*"]}


def _attributes(user: UserInfo, spec: Obj, kind: str) -> Attributes:
    resource, non_resource = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if (resource is None) == (non_resource is None):
        raise invalid(kind, "authorization.k8s.io", "",
                      [("FieldValueInvalid", "spec.resourceAttributes", f'Invalid value: "null": {_EITHER}')])
    if non_resource is not None:
        return Attributes(user, non_resource.get("verb", ""), path=non_resource.get("path", ""))
    r: dict[str, Any] = resource or {}
    return Attributes(user, r.get("verb", ""), r.get("group", ""), r.get("resource", ""), r.get("subresource", ""),
                      r.get("namespace", ""), r.get("name", ""))


def _subject(spec: Obj, kind: str) -> UserInfo:
    user, groups = spec.get("user", ""), tuple(spec.get("groups") or ())
    if not user and not groups:
        raise invalid(kind, "authorization.k8s.io", "", [
            ("FieldValueInvalid", "spec.user", 'Invalid value: "": at least one of user or group must be specified')])
    return UserInfo(user, groups, spec.get("uid", ""))


def _access_review(ctx: ApiContext, req: Request, route: Route, body: Obj) -> Obj:
    kind, spec = route.rt.kind, body.get("spec") or {}
    user = req.user if kind == "SelfSubjectAccessReview" else _subject(spec, kind)
    if kind == "LocalSubjectAccessReview":
        if spec.get("nonResourceAttributes") is not None:
            raise bad_request("disallowed on this kind of request")
        resource = spec.setdefault("resourceAttributes", {})
        resource.setdefault("namespace", route.namespace)
        if resource["namespace"] != route.namespace:
            raise bad_request(f"spec.resourceAttributes.namespace must match namespace: {route.namespace}")
    decision = ctx.authorize(_attributes(user, spec, kind))
    status: Obj = {"allowed": decision.allowed}
    if decision.reason:
        status["reason"] = decision.reason
    return status


def _rules_review(ctx: ApiContext, user: UserInfo, body: Obj) -> Obj:
    namespace = (body.get("spec") or {}).get("namespace") or ""
    if MASTERS in user.groups:
        return {"resourceRules": [_EVERYTHING_RESOURCES], "nonResourceRules": [_EVERYTHING_URLS],
                "incomplete": False}
    rules, errors = RbacAuthorizer(ctx.store).rules_for(user, namespace)
    status: Obj = {
        "resourceRules": [{k: rule[k] for k in ("verbs", "apiGroups", "resources", "resourceNames") if rule.get(k)}
                          for rule in rules if rule.get("resources")],
        "nonResourceRules": [{k: rule[k] for k in ("verbs", "nonResourceURLs")}
                             for rule in rules if rule.get("nonResourceURLs")],
        "incomplete": bool(errors),
    }
    if errors:
        status["evaluationError"] = ", ".join(dict.fromkeys(errors))
    return status


def create(ctx: ApiContext, req: Request, route: Route) -> Reply:
    body = req.json_body()
    kind = route.rt.kind
    if kind == "SelfSubjectReview":
        user = req.user
        info: Obj = {"username": user.name, "groups": list(user.groups)}
        if user.uid:
            info["uid"] = user.uid
        status: Obj = {"userInfo": info}
    elif kind == "SelfSubjectRulesReview":
        status = _rules_review(ctx, req.user, body)
    else:
        status = _access_review(ctx, req, route, body)
    metadata = {**(body.get("metadata") or {}), "creationTimestamp": None}
    if route.rt.namespaced:
        metadata["namespace"] = route.namespace
    answer: Obj = {"kind": kind, "apiVersion": route.rt.api_version, "metadata": metadata}
    if "spec" in body or kind != "SelfSubjectReview":
        answer["spec"] = body.get("spec") or {}
    answer["status"] = status
    return Reply(201, answer)
