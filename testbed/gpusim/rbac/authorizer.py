"""The RBAC authorizer over the store's roles and bindings, with the real reasons for its answers.

Rules are visited as ``DefaultRuleResolver.VisitRulesFor`` does: every ClusterRoleBinding that
applies to the user, then (for a namespaced request) the RoleBindings of that namespace. A binding
whose role does not exist contributes an error, which a denial reports after ``RBAC:``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..authz import Attributes, Decision
from ..identity import UserInfo
from ..resources import CLUSTERROLE, CLUSTERROLEBINDING, RBAC_GROUP, ROLE, ROLEBINDING
from ..store import Store
from .rules import Obj, describe_subject, rule_allows, subject_applies


@dataclass(frozen=True)
class Visit:
    """One rule granted to the user (with where it comes from), or an error resolving a binding."""

    source: str = ""
    rule: Obj | None = None
    error: str = ""


def _aggregate(errors: list[str]) -> str:
    """utilerrors.NewAggregate(...).Error(): one message alone, several as ``[a, b]``, repeats once."""
    unique = list(dict.fromkeys(errors))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


class RbacAuthorizer:
    def __init__(self, store: Store) -> None:
        self._store = store

    def _role_rules(self, ref: Obj, namespace: str) -> list[Obj] | str:
        kind, name = ref.get("kind"), ref.get("name", "")
        if kind == "ClusterRole":
            role = self._store.find(CLUSTERROLE, "", name)
        elif kind == "Role":
            role = self._store.find(ROLE, namespace, name)
        else:
            return f'unsupported role reference kind: "{kind}"'
        if role is None:
            return f'{str(kind).lower()}.{RBAC_GROUP} "{name}" not found'
        return list(role.get("rules") or [])

    def visit(self, user: UserInfo, namespace: str) -> Iterator[Visit]:
        scopes = [(CLUSTERROLEBINDING, "")] + ([(ROLEBINDING, namespace)] if namespace else [])
        for rt, scope in scopes:
            for binding in self._store.list(rt, scope or None)[0]:
                subject = next((s for s in binding.get("subjects") or [] if subject_applies(s, user, scope)), None)
                if subject is None:
                    continue
                ref = binding.get("roleRef") or {}
                rules = self._role_rules(ref, scope)
                if isinstance(rules, str):
                    yield Visit(error=rules)
                    continue
                name = binding["metadata"]["name"] + (f"/{scope}" if scope else "")
                source = (f'{binding["kind"]} "{name}" of {ref.get("kind")} "{ref.get("name")}" '
                          f"to {describe_subject(subject, scope)}")
                for rule in rules:
                    yield Visit(source, rule)

    def authorize(self, attrs: Attributes) -> Decision:
        errors: list[str] = []
        for visit in self.visit(attrs.user, attrs.namespace):
            if visit.rule is not None and rule_allows(attrs, visit.rule):
                return Decision(True, f"RBAC: allowed by {visit.source}")
            if visit.error:
                errors.append(visit.error)
        return Decision(False, f"RBAC: {_aggregate(errors)}" if errors else "")

    def rules_for(self, user: UserInfo, namespace: str) -> tuple[list[Obj], list[str]]:
        """Every rule the user holds in ``namespace`` and the errors met resolving them."""
        rules: list[Obj] = []
        errors: list[str] = []
        for visit in self.visit(user, namespace):
            if visit.rule is not None:
                rules.append(visit.rule)
            if visit.error:
                errors.append(visit.error)
        return rules, errors
