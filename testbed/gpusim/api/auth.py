"""Who is asking (bearer tokens) and whether they may: the apiserver's authentication and authorization.

Authentication: the cluster's admin token (user ``gpu-sim-admin`` in ``system:masters``), tokens added
with :meth:`TokenAuthenticator.add`, and ServiceAccount tokens from TokenRequest; no credentials at all
is ``system:anonymous``; anything else is 401. Authorization, by default as ``--authorization-mode=RBAC``
has it: ``system:masters`` may do anything, everyone else what their RBAC bindings grant. A test may
swap in a plain :class:`Authorizer` callable instead.
"""

from __future__ import annotations

import time
from typing import Protocol

from ..authz import Attributes, Decision
from ..errors import ApiError, qualified, unauthorized
from ..identity import ANONYMOUS, AUTHENTICATED, MASTERS, UserInfo, service_account_user
from ..rbac.authorizer import RbacAuthorizer
from ..resources import POD, SERVICEACCOUNT
from ..satokens import TokenIssuer
from ..store import Obj, Store, parse_rfc3339

ADMIN_USER = "gpu-sim-admin"
ADMIN = UserInfo(ADMIN_USER, (MASTERS, AUTHENTICATED))
LEEWAY_SECONDS = 60  # jwt.DefaultLeeway: what was deleted longer ago than this invalidates the token
PUBLIC_PATHS = (
    "/healthz",
    "/livez",
    "/readyz",
    "/version",
)  # readable without credentials, as in real clusters


class Authorizer(Protocol):
    """A test's authorizer: the user's name and the request's attributes (the path as ``name`` for
    non-resource requests) -> allowed."""

    def __call__(
        self, user: str, verb: str, group: str, resource: str, subresource: str, namespace: str, name: str
    ) -> bool: ...


class RequestAuthorizer(Protocol):
    def __call__(self, attrs: Attributes) -> Decision: ...


def allow_all(
    user: str, verb: str, group: str, resource: str, subresource: str, namespace: str, name: str
) -> bool:
    return True


class CallableAuthorizer:
    """Adapts an :class:`Authorizer`; anonymous users only reach the public health and version paths."""

    def __init__(self, decide: Authorizer) -> None:
        self._decide = decide

    def __call__(self, attrs: Attributes) -> Decision:
        if attrs.user == ANONYMOUS:
            path = attrs.path
            return Decision(path in PUBLIC_PATHS or path.startswith(("/healthz/", "/livez/", "/readyz/")))
        name = attrs.name if attrs.resource_request else attrs.path
        return Decision(self._decide(attrs.user.name, attrs.verb, attrs.group, attrs.resource, attrs.subresource,
                                     attrs.namespace, name))


class ClusterAuthorizer:
    """The privileged-group authorizer, then RBAC (the union kube-apiserver builds)."""

    def __init__(self, store: Store) -> None:
        self.rbac = RbacAuthorizer(store)

    def __call__(self, attrs: Attributes) -> Decision:
        if MASTERS in attrs.user.groups:
            return Decision(True)
        return self.rbac.authorize(attrs)


class TokenAuthenticator:
    """Maps bearer tokens to users; ServiceAccount tokens are checked against the account they name."""

    def __init__(self, admin_token: str, store: Store, issuer: TokenIssuer) -> None:
        self._users = {admin_token: ADMIN}
        self._store = store
        self.issuer = issuer

    def add(self, token: str, user: str, groups: tuple[str, ...] = ()) -> None:
        self._users[token] = UserInfo(user, (*groups, AUTHENTICATED))

    def user_for(self, authorization: str) -> UserInfo:
        """The user behind an ``Authorization`` header: anonymous without one, 401 Unauthorized when wrong."""
        if not authorization:
            return ANONYMOUS
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        user = self._users.get(token) if scheme.lower() == "bearer" else None
        if user is None and scheme.lower() == "bearer":
            user = self._service_account(token)
        if user is None:
            raise unauthorized()
        return user

    def _service_account(self, token: str) -> UserInfo | None:
        claims = self.issuer.verify(token)
        if claims is None:
            return None
        checks = [(SERVICEACCOUNT, claims.name, claims.uid)]
        if claims.pod is not None:
            checks.append((POD, *claims.pod))
        for rt, name, uid in checks:  # the account, and the pod a token is bound to, must still be there
            found = self._store.find(rt, claims.namespace, name)
            if found is None or found["metadata"]["uid"] != uid or _deleted(found):
                return None
        return service_account_user(claims.namespace, claims.name, claims.uid)


def _deleted(obj: Obj) -> bool:
    """Deleted for good, as the token validator sees it: a pod's deletionTimestamp is the end of its grace
    period, and its token serves it until a minute after that (so a run can clean up after SIGTERM)."""
    stamp = obj["metadata"].get("deletionTimestamp")
    return bool(stamp) and parse_rfc3339(stamp) < time.time() - LEEWAY_SECONDS


def forbidden(attrs: Attributes, reason: str = "") -> ApiError:
    """403 in the apiserver's words (responsewriters.ForbiddenStatusError), the denial's reason appended."""
    user, verb = attrs.user.name, attrs.verb
    suffix = f": {reason}" if reason else ""
    if not attrs.resource_request:
        return ApiError(403, "Forbidden", f'forbidden: User "{user}" cannot {verb} path "{attrs.path}"{suffix}', {})
    full = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    scope = f'in the namespace "{attrs.namespace}"' if attrs.namespace else "at the cluster scope"
    subject = qualified(attrs.resource, attrs.group) + (f' "{attrs.name}"' if attrs.name else "")
    message = (f'{subject} is forbidden: User "{user}" cannot {verb} resource "{full}" '
               f'in API group "{attrs.group}" {scope}{suffix}')
    details: dict[str, str] = {"kind": attrs.resource}
    if attrs.name:
        details["name"] = attrs.name
    if attrs.group:
        details["group"] = attrs.group
    return ApiError(403, "Forbidden", message, details)
