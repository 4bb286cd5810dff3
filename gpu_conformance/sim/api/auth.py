"""Who is asking (bearer tokens) and whether they may (the authorizer seam RBAC plugs into)."""

from __future__ import annotations

from typing import Protocol

from ..errors import ApiError, qualified, unauthorized

ADMIN_USER = "gpu-sim-admin"
PUBLIC_PATHS = (
    "/healthz",
    "/livez",
    "/readyz",
    "/version",
)  # readable without credentials, as in real clusters


class Authorizer(Protocol):
    def __call__(
        self, user: str, verb: str, group: str, resource: str, subresource: str, namespace: str, name: str
    ) -> bool: ...


def allow_all(
    user: str, verb: str, group: str, resource: str, subresource: str, namespace: str, name: str
) -> bool:
    return True


class TokenAuthenticator:
    """Maps bearer tokens to user names."""

    def __init__(self, admin_token: str) -> None:
        self._users = {admin_token: ADMIN_USER}

    def add(self, token: str, user: str) -> None:
        self._users[token] = user

    def user_for(self, authorization: str, path: str) -> str:
        """The user behind an ``Authorization`` header; 401 Unauthorized when there is none or it is wrong."""
        scheme, _, token = authorization.partition(" ")
        user = self._users.get(token.strip()) if scheme.lower() == "bearer" else None
        if user is not None:
            return user
        if not authorization and (
            path in PUBLIC_PATHS or path.startswith(("/healthz/", "/livez/", "/readyz/"))
        ):
            return "system:anonymous"
        raise unauthorized()


def forbidden(
    user: str, verb: str, group: str, resource: str, subresource: str, namespace: str, name: str
) -> ApiError:
    """403 in the apiserver's words: ``User "x" cannot list resource "nodes" in API group ""...``."""
    full = f"{resource}/{subresource}" if subresource else resource
    scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    subject = qualified(resource, group) + (f' "{name}"' if name else "")
    message = (
        f'{subject} is forbidden: User "{user}" cannot {verb} resource "{full}" '
        f'in API group "{group}" {scope}'
    )
    details: dict[str, str] = {"kind": resource}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    return ApiError(403, "Forbidden", message, details)


def forbidden_path(user: str, verb: str, path: str) -> ApiError:
    return ApiError(403, "Forbidden", f'forbidden: User "{user}" cannot {verb} path "{path}"', {})
