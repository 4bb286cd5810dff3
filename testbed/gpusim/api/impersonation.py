"""User impersonation (``kubectl --as``, ``--as-group``), as the apiserver's WithImpersonation filter does it.

Each impersonated user, ServiceAccount and group needs the ``impersonate`` verb on ``users``,
``serviceaccounts`` or ``groups``; a refusal is the usual 403. The impersonated user is then the
requester: ``kubectl auth can-i --as=system:serviceaccount:ns:sa ...`` answers for that account.
"""

from __future__ import annotations

from ..authz import Attributes
from ..errors import bad_request
from ..identity import ANONYMOUS, AUTHENTICATED, SERVICE_ACCOUNT_PREFIX, SERVICE_ACCOUNTS, UNAUTHENTICATED, UserInfo
from .auth import RequestAuthorizer, forbidden


def _check(authorize: RequestAuthorizer, attrs: Attributes) -> None:
    decision = authorize(attrs)
    if not decision.allowed:
        raise forbidden(attrs, decision.reason)


def impersonate(requester: UserInfo, user: str, groups: list[str], uid: str,
                authorize: RequestAuthorizer) -> UserInfo:
    """The user a request acts as: ``requester`` itself when no Impersonate-* header asks otherwise."""
    if not user:
        if groups or uid:
            raise bad_request("requested impersonation of groups or a uid without impersonating a user")
        return requester
    chosen = list(groups)
    parts = user[len(SERVICE_ACCOUNT_PREFIX):].split(":") if user.startswith(SERVICE_ACCOUNT_PREFIX) else []
    if len(parts) == 2 and all(parts):
        namespace, name = parts
        _check(authorize, Attributes(requester, "impersonate", "", "serviceaccounts", "", namespace, name))
        if not groups:
            chosen = [SERVICE_ACCOUNTS, f"{SERVICE_ACCOUNTS}:{namespace}"]
    else:
        _check(authorize, Attributes(requester, "impersonate", "", "users", "", "", user))
    for group in groups:
        _check(authorize, Attributes(requester, "impersonate", "", "groups", "", "", group))
    if uid:
        _check(authorize, Attributes(requester, "impersonate", "authentication.k8s.io", "uids", "", "", uid))
    if user == ANONYMOUS.name:
        if UNAUTHENTICATED not in chosen:
            chosen.append(UNAUTHENTICATED)
    elif AUTHENTICATED not in chosen and UNAUTHENTICATED not in chosen:
        chosen.append(AUTHENTICATED)
    return UserInfo(user, tuple(chosen), uid)
