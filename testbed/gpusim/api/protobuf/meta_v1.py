"""apimachinery's meta/v1 messages (pkg/apis/meta/v1/generated.proto) and the runtime envelope."""

from __future__ import annotations

from .schema import Field, Message, b, m, n, rm, rs, s, smap, t

META_V1: dict[str, Message] = {
    "ObjectMeta": {
        1: s("name"), 2: s("generateName"), 3: s("namespace"), 4: s("selfLink"), 5: s("uid"),
        6: s("resourceVersion"), 7: n("generation"), 8: t("creationTimestamp"), 9: t("deletionTimestamp"),
        10: n("deletionGracePeriodSeconds", keep=True), 11: smap("labels"), 12: smap("annotations"),
        13: rm("ownerReferences", "OwnerReference"), 14: rs("finalizers"),
        17: rm("managedFields", "ManagedFieldsEntry"),
    },
    "OwnerReference": {
        5: s("apiVersion", keep=True), 1: s("kind", keep=True), 3: s("name", keep=True),
        4: s("uid", keep=True),
        6: b("controller", keep=True), 7: b("blockOwnerDeletion", keep=True),
    },
    "ManagedFieldsEntry": {
        1: s("manager"), 2: s("operation"), 3: s("apiVersion"), 4: t("time"), 6: s("fieldsType"),
        7: Field("fieldsV1", "fieldsv1"), 8: s("subresource"),
    },
    "LabelSelector": {1: smap("matchLabels"), 2: rm("matchExpressions", "LabelSelectorRequirement")},
    "LabelSelectorRequirement": {1: s("key", keep=True), 2: s("operator", keep=True), 3: rs("values")},
    "Condition": {
        1: s("type", keep=True), 2: s("status", keep=True), 3: n("observedGeneration"),
        4: t("lastTransitionTime"), 5: s("reason", keep=True), 6: s("message", keep=True),
    },
    "DeleteOptions": {
        1: n("gracePeriodSeconds", keep=True), 2: m("preconditions", "Preconditions"),
        3: b("orphanDependents", keep=True), 4: s("propagationPolicy", keep=True), 5: rs("dryRun"),
        6: b("ignoreStoreReadErrorWithClusterBreakingPotential", keep=True),
    },
    "Preconditions": {1: s("uid", keep=True), 2: s("resourceVersion", keep=True)},
}

# runtime.Unknown, the envelope after the 4-byte magic: its TypeMeta names the kind of ``raw``.
UNKNOWN_TYPE_META, UNKNOWN_RAW = 1, 2
TYPE_META_API_VERSION, TYPE_META_KIND = 1, 2
