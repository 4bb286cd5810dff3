"""Messages of rbac.authorization.k8s.io/v1, authorization.k8s.io/v1 and authentication.k8s.io/v1 that kubectl
sends as protobuf: ``create role|clusterrole|rolebinding|clusterrolebinding``, ``auth can-i``, ``auth whoami``,
``create token`` (each group's generated.proto; ``extra`` user attributes are not decoded)."""

from __future__ import annotations

from .schema import Message, b, m, n, rm, rs, s

_META = m("metadata", "ObjectMeta")

RBAC_V1: dict[str, Message] = {
    "PolicyRule": {1: rs("verbs"), 2: rs("apiGroups"), 3: rs("resources"), 4: rs("resourceNames"),
                   5: rs("nonResourceURLs")},
    "AggregationRule": {1: rm("clusterRoleSelectors", "LabelSelector")},
    "ClusterRole": {1: _META, 2: rm("rules", "PolicyRule"), 3: m("aggregationRule", "AggregationRule")},
    "Role": {1: _META, 2: rm("rules", "PolicyRule")},
    "Subject": {1: s("kind", keep=True), 2: s("apiGroup"), 3: s("name", keep=True), 4: s("namespace")},
    "RoleRef": {1: s("apiGroup", keep=True), 2: s("kind", keep=True), 3: s("name", keep=True)},
    "ClusterRoleBinding": {1: _META, 2: rm("subjects", "Subject"), 3: m("roleRef", "RoleRef")},
    "RoleBinding": {1: _META, 2: rm("subjects", "Subject"), 3: m("roleRef", "RoleRef")},
}

AUTHORIZATION_V1: dict[str, Message] = {
    "ResourceAttributes": {1: s("namespace"), 2: s("verb"), 3: s("group"), 4: s("version"), 5: s("resource"),
                           6: s("subresource"), 7: s("name")},
    "NonResourceAttributes": {1: s("path"), 2: s("verb")},
    "SelfSubjectAccessReviewSpec": {1: m("resourceAttributes", "ResourceAttributes"),
                                    2: m("nonResourceAttributes", "NonResourceAttributes")},
    "SubjectAccessReviewSpec": {1: m("resourceAttributes", "ResourceAttributes"),
                                2: m("nonResourceAttributes", "NonResourceAttributes"), 3: s("user"),
                                4: rs("groups"), 6: s("uid")},
    "SubjectAccessReviewStatus": {1: b("allowed", keep=True), 4: b("denied"), 2: s("reason"),
                                  3: s("evaluationError")},
    "SelfSubjectAccessReview": {1: _META, 2: m("spec", "SelfSubjectAccessReviewSpec"),
                                3: m("status", "SubjectAccessReviewStatus")},
    "SubjectAccessReview": {1: _META, 2: m("spec", "SubjectAccessReviewSpec"),
                            3: m("status", "SubjectAccessReviewStatus")},
    "LocalSubjectAccessReview": {1: _META, 2: m("spec", "SubjectAccessReviewSpec"),
                                 3: m("status", "SubjectAccessReviewStatus")},
    "SelfSubjectRulesReviewSpec": {1: s("namespace")},
    "SelfSubjectRulesReview": {1: _META, 2: m("spec", "SelfSubjectRulesReviewSpec")},
}

AUTHENTICATION_V1: dict[str, Message] = {
    "BoundObjectReference": {1: s("kind"), 2: s("apiVersion"), 3: s("name"), 4: s("uid")},
    "TokenRequestSpec": {1: rs("audiences"), 4: n("expirationSeconds", keep=True),
                         3: m("boundObjectRef", "BoundObjectReference")},
    "TokenRequest": {1: _META, 2: m("spec", "TokenRequestSpec")},
    "UserInfo": {1: s("username"), 2: s("uid"), 3: rs("groups")},
    "SelfSubjectReviewStatus": {1: m("userInfo", "UserInfo")},
    "SelfSubjectReview": {1: _META, 2: m("status", "SelfSubjectReviewStatus")},
}
