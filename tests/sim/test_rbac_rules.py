"""RBAC rule and subject matching as the real authorizer does it."""

from __future__ import annotations

from typing import Any

from gpusim.authz import Attributes
from gpusim.identity import UserInfo, service_account_user
from gpusim.rbac.rules import rule_allows, subject_applies

USER = UserInfo("alice", ("devs", "system:authenticated"))


def ask(verb: str, resource: str = "", subresource: str = "", name: str = "", group: str = "",
        path: str = "") -> Attributes:
    return Attributes(USER, verb, group, resource, subresource, "ns", name, path)


def rule(**fields: Any) -> dict[str, Any]:
    return {"apiGroups": [""], **fields}


def test_a_resource_rule_does_not_cover_its_subresources_but_star_slash_does() -> None:
    pods = rule(resources=["pods"], verbs=["get"])
    assert rule_allows(ask("get", "pods", name="p"), pods)
    assert not rule_allows(ask("get", "pods", "log", name="p"), pods)
    assert rule_allows(ask("get", "pods", "log", name="p"), rule(resources=["pods/log"], verbs=["get"]))
    assert rule_allows(ask("get", "pods", "log", name="p"), rule(resources=["*/log"], verbs=["get"]))
    assert rule_allows(ask("get", "pods", "log", name="p"), rule(resources=["*"], verbs=["*"]))


def test_groups_and_verbs_must_match_exactly_or_by_star() -> None:
    jobs = {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["list", "watch"]}
    assert rule_allows(ask("watch", "jobs", group="batch"), jobs)
    assert not rule_allows(ask("create", "jobs", group="batch"), jobs)
    assert not rule_allows(ask("list", "jobs", group="apps"), jobs)
    assert rule_allows(ask("list", "jobs", group="apps"), {**jobs, "apiGroups": ["*"]})


def test_resource_names_never_match_a_request_without_a_name() -> None:
    named = rule(resources=["configmaps"], verbs=["get", "list", "create", "update"], resourceNames=["mine"])
    assert rule_allows(ask("get", "configmaps", name="mine"), named)
    assert rule_allows(ask("update", "configmaps", name="mine"), named)
    assert not rule_allows(ask("get", "configmaps", name="theirs"), named)
    assert not rule_allows(ask("list", "configmaps"), named)
    assert not rule_allows(ask("create", "configmaps"), named)


def test_non_resource_urls_match_exactly_or_by_a_trailing_star() -> None:
    urls = {"nonResourceURLs": ["/version", "/apis/*"], "verbs": ["get"]}
    assert rule_allows(ask("get", path="/version"), urls)
    assert not rule_allows(ask("get", path="/version/"), urls)
    assert rule_allows(ask("get", path="/apis/apps/v1"), urls)
    assert not rule_allows(ask("get", path="/apis"), urls)
    assert not rule_allows(ask("post", path="/version"), urls)
    assert not rule_allows(ask("get", "pods"), urls)


def test_subjects_match_users_groups_and_service_accounts() -> None:
    assert subject_applies({"kind": "User", "name": "alice"}, USER, "")
    assert subject_applies({"kind": "Group", "name": "devs"}, USER, "")
    assert not subject_applies({"kind": "Group", "name": "alice"}, USER, "")
    robot = service_account_user("ns", "robot", "uid-1")
    assert subject_applies({"kind": "ServiceAccount", "name": "robot", "namespace": "ns"}, robot, "")
    assert subject_applies({"kind": "ServiceAccount", "name": "robot"}, robot, "ns")  # a RoleBinding's namespace
    assert not subject_applies({"kind": "ServiceAccount", "name": "robot"}, robot, "")
    assert subject_applies({"kind": "Group", "name": "system:serviceaccounts:ns"}, robot, "")
