"""``POST .../serviceaccounts/NAME/token`` (TokenRequest): what ``kubectl create token`` calls."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from ..errors import ApiError, bad_request, invalid, not_found
from ..resources import POD, SERVICEACCOUNT
from ..satokens import API_AUDIENCES, DEFAULT_EXPIRATION_SECONDS, MIN_EXPIRATION_SECONDS, Claims
from .context import ApiContext
from .messages import Obj, Reply, Request, Route

_GROUP = "authentication.k8s.io"


def _bound_pod(ctx: ApiContext, route: Route, ref: Obj) -> tuple[str, str]:
    """The (name, uid) of the pod a token is bound to; as the registry, only pods can be found here."""
    name, kind = ref.get("name", ""), ref.get("kind", "")
    if kind == "Secret":
        raise not_found("secrets", "", name)
    if kind != "Pod" or ref.get("apiVersion", "v1") != "v1":
        group_version = ref.get("apiVersion", "")
        raise bad_request(f'cannot bind token for serviceaccount "{route.name}" to object of type '
                          f"{group_version}, Kind={kind}")
    pod = ctx.store.get(POD, route.namespace, name)
    uid = pod["metadata"]["uid"]
    if ref.get("uid") and ref["uid"] != uid:
        raise ApiError(409, "Conflict", f'Operation cannot be fulfilled on Pod "{name}": the UID in the bound '
                       f"object reference ({ref['uid']}) does not match the UID in record. The object might "
                       "have been deleted and then recreated", {"name": name, "kind": "Pod"})
    return name, uid


def create_token(ctx: ApiContext, req: Request, route: Route) -> Reply:
    body = req.json_body()
    spec: Obj = body.get("spec") or {}
    seconds = spec.get("expirationSeconds")
    seconds = DEFAULT_EXPIRATION_SECONDS if seconds is None else int(seconds)
    if seconds < MIN_EXPIRATION_SECONDS:
        raise invalid("TokenRequest", _GROUP, route.name, [(
            "FieldValueInvalid", "spec.expirationSeconds",
            f"Invalid value: {seconds}: may not specify a duration less than 10 minutes")])
    account = ctx.store.get(SERVICEACCOUNT, route.namespace, route.name)
    ref = spec.get("boundObjectRef")
    pod = _bound_pod(ctx, route, ref) if ref else None
    audiences = list(spec.get("audiences") or API_AUDIENCES)
    now = int(time.time())
    claims = Claims(route.namespace, route.name, account["metadata"]["uid"], tuple(audiences), now + seconds, pod)
    token = ctx.tokens.issue(claims, issued_at=now)
    expires = datetime.fromtimestamp(claims.expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Reply(201, {
        "kind": "TokenRequest", "apiVersion": f"{_GROUP}/v1",
        "metadata": {"name": route.name, "namespace": route.namespace, "creationTimestamp": None},
        "spec": {"audiences": audiences, "expirationSeconds": seconds, "boundObjectRef": ref or None},
        "status": {"token": token, "expirationTimestamp": expires},
    })
