"""Printers for Roles, ClusterRoles and their bindings (pkg/printers/internalversion)."""

from __future__ import annotations

from typing import Any

from .columns import AGE_DOC, Column, age_column, column, name_column
from .duration import since

Obj = dict[str, Any]

ROLE_COLUMNS: list[Column] = [name_column(), column("Created At", "date", description=AGE_DOC)]
_ROLE_REF_DOC = ("RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. "
                 "If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.")
BINDING_COLUMNS: list[Column] = [
    name_column(),
    column("Role", description=_ROLE_REF_DOC),
    age_column(),
    column("Users", priority=1, description="Users in the roleBinding"),
    column("Groups", priority=1, description="Groups in the roleBinding"),
    column("ServiceAccounts", priority=1, description="ServiceAccounts in the roleBinding"),
]


def role_row(role: Obj) -> list[Any]:
    return [role["metadata"]["name"], role["metadata"].get("creationTimestamp", "")]


def binding_row(binding: Obj) -> list[Any]:
    """ROLE as ``ClusterRole/view``; subjects as rbac.SubjectsStrings sorts them (ServiceAccounts ns/name)."""
    ref = binding.get("roleRef") or {}
    subjects = binding.get("subjects") or []

    def names(kind: str) -> str:
        return ", ".join(f"{s.get('namespace', '')}/{s.get('name', '')}" if kind == "ServiceAccount"
                         else s.get("name", "") for s in subjects if s.get("kind") == kind)

    return [binding["metadata"]["name"], f"{ref.get('kind', '')}/{ref.get('name', '')}",
            since(binding["metadata"].get("creationTimestamp")), names("User"), names("Group"),
            names("ServiceAccount")]
