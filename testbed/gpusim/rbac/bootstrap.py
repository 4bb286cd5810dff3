"""The bootstrap RBAC policy every cluster starts with (plugin/pkg/auth/authorizer/rbac/bootstrappolicy).

Exact: ``cluster-admin`` (bound to ``system:masters``), ``system:discovery``, ``system:basic-user``
and ``system:public-info-viewer`` with their bindings, enough for discovery, ``kubectl auth can-i``
and ``/version`` to work for any ServiceAccount. Approximate: the user-facing ``admin``, ``edit`` and
``view`` roles carry their usual rules for the kinds this cluster serves, written out instead of
aggregated (no aggregation controller runs here). The controllers' and nodes' own roles are left out.
"""

from __future__ import annotations

from typing import Any

from ..resources import RBAC_GROUP

Obj = dict[str, Any]
_META = {"labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
         "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}}
_READ = ["get", "list", "watch"]
_WRITE = ["create", "delete", "deletecollection", "patch", "update"]
_PUBLIC_URLS = ["/healthz", "/livez", "/readyz", "/version", "/version/"]


def _rule(groups: list[str], resources: list[str], verbs: list[str]) -> Obj:
    return {"verbs": verbs, "apiGroups": groups, "resources": resources}


def _urls(urls: list[str], verbs: list[str]) -> Obj:
    return {"verbs": verbs, "nonResourceURLs": urls}


_VIEW = [
    _rule([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
                 "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                 "services/status"], _READ),
    _rule([""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
                 "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], _READ),
    _rule([""], ["namespaces"], _READ),
    _rule(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                     "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
                     "statefulsets/scale", "statefulsets/status"], _READ),
    _rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], _READ),
    _rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], _READ),
]
_EDIT = [
    _rule([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], _READ),
    _rule([""], ["serviceaccounts"], ["impersonate"]),
    _rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], _WRITE),
    _rule([""], ["pods/eviction"], ["create"]),
    _rule([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                 "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"], _WRITE),
    _rule([""], ["serviceaccounts/token"], ["create"]),
    _rule(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                     "replicasets/scale", "statefulsets", "statefulsets/scale"], _WRITE),
    _rule(["batch"], ["cronjobs", "jobs"], _WRITE),
    _rule(["policy"], ["poddisruptionbudgets"], _WRITE),
    _rule(["coordination.k8s.io"], ["leases"], [*_WRITE, *_READ]),
    *_VIEW,
]
_ADMIN = [
    _rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
    _rule([RBAC_GROUP], ["rolebindings", "roles"], [*_WRITE, *_READ]),
    *_EDIT,
]
CLUSTER_ROLES: dict[str, list[Obj]] = {
    "cluster-admin": [_rule(["*"], ["*"], ["*"]), _urls(["*"], ["*"])],
    "system:discovery": [_urls(["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi",
                                "/openapi/*", "/readyz", "/version", "/version/"], ["get"])],
    "system:basic-user": [
        _rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
        _rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"]),
    ],
    "system:public-info-viewer": [_urls(_PUBLIC_URLS, ["get"])],
    "admin": _ADMIN,
    "edit": _EDIT,
    "view": _VIEW,
}
CLUSTER_ROLE_BINDINGS: dict[str, list[str]] = {  # binding (and role) name -> the groups it binds
    "cluster-admin": ["system:masters"],
    "system:discovery": ["system:authenticated"],
    "system:basic-user": ["system:authenticated"],
    "system:public-info-viewer": ["system:authenticated", "system:unauthenticated"],
}


def cluster_roles() -> list[Obj]:
    return [{"metadata": {"name": name, **_META}, "rules": rules} for name, rules in CLUSTER_ROLES.items()]


def cluster_role_bindings() -> list[Obj]:
    return [{"metadata": {"name": name, **_META},
             "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": name},
             "subjects": [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": group} for group in groups]}
            for name, groups in CLUSTER_ROLE_BINDINGS.items()]
