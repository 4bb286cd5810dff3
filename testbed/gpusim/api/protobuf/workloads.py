"""Messages of the named groups the sim serves: apps/v1, batch/v1, node.k8s.io/v1, coordination.k8s.io/v1,
and policy/v1's Eviction (each group's generated.proto)."""

from __future__ import annotations

from .schema import Message, b, ios, m, mt, n, qmap, rm, rn, rs, s, smap, t

_META = m("metadata", "ObjectMeta")

APPS_V1: dict[str, Message] = {
    "DaemonSet": {1: _META, 2: m("spec", "DaemonSetSpec"), 3: m("status", "DaemonSetStatus")},
    "DaemonSetSpec": {
        1: m("selector", "LabelSelector"), 2: m("template", "PodTemplateSpec"),
        3: m("updateStrategy", "DaemonSetUpdateStrategy"), 4: n("minReadySeconds"),
        6: n("revisionHistoryLimit", keep=True),
    },
    "DaemonSetUpdateStrategy": {1: s("type"), 2: m("rollingUpdate", "RollingUpdateDaemonSet")},
    "RollingUpdateDaemonSet": {1: ios("maxUnavailable"), 2: ios("maxSurge")},
    "DaemonSetStatus": {
        1: n("currentNumberScheduled", keep=True), 2: n("numberMisscheduled", keep=True),
        3: n("desiredNumberScheduled", keep=True), 4: n("numberReady", keep=True), 5: n("observedGeneration"),
        6: n("updatedNumberScheduled"), 7: n("numberAvailable"), 8: n("numberUnavailable"),
        9: n("collisionCount", keep=True), 10: rm("conditions", "DaemonSetCondition"),
    },
    "DaemonSetCondition": {
        1: s("type", keep=True), 2: s("status", keep=True), 3: t("lastTransitionTime"), 4: s("reason"),
        5: s("message"),
    },
}

BATCH_V1: dict[str, Message] = {
    "Job": {1: _META, 2: m("spec", "JobSpec"), 3: m("status", "JobStatus")},
    "JobSpec": {
        1: n("parallelism", keep=True), 2: n("completions", keep=True),
        3: n("activeDeadlineSeconds", keep=True),
        11: m("podFailurePolicy", "PodFailurePolicy"), 16: m("successPolicy", "SuccessPolicy"),
        7: n("backoffLimit", keep=True), 12: n("backoffLimitPerIndex", keep=True),
        13: n("maxFailedIndexes", keep=True), 4: m("selector", "LabelSelector"),
        5: b("manualSelector", keep=True),
        6: m("template", "PodTemplateSpec"), 8: n("ttlSecondsAfterFinished", keep=True),
        9: s("completionMode", keep=True), 10: b("suspend", keep=True),
        14: s("podReplacementPolicy", keep=True),
        15: s("managedBy", keep=True),
    },
    "JobStatus": {
        1: rm("conditions", "JobCondition"), 2: t("startTime"), 3: t("completionTime"), 4: n("active"),
        5: n("succeeded"), 6: n("failed"), 11: n("terminating", keep=True), 7: s("completedIndexes"),
        10: s("failedIndexes", keep=True), 8: m("uncountedTerminatedPods", "UncountedTerminatedPods"),
        9: n("ready", keep=True),
    },
    "JobCondition": {
        1: s("type", keep=True), 2: s("status", keep=True), 3: t("lastProbeTime"), 4: t("lastTransitionTime"),
        5: s("reason"), 6: s("message"),
    },
    "UncountedTerminatedPods": {1: rs("succeeded"), 2: rs("failed")},
    "PodFailurePolicy": {1: rm("rules", "PodFailurePolicyRule")},
    "PodFailurePolicyRule": {
        1: s("action", keep=True), 2: m("onExitCodes", "PodFailurePolicyOnExitCodesRequirement"),
        3: rm("onPodConditions", "PodFailurePolicyOnPodConditionsPattern"),
    },
    "PodFailurePolicyOnExitCodesRequirement": {
        1: s("containerName", keep=True), 2: s("operator", keep=True),
        3: rn("values"),
    },
    "PodFailurePolicyOnPodConditionsPattern": {1: s("type", keep=True), 2: s("status", keep=True)},
    "SuccessPolicy": {1: rm("rules", "SuccessPolicyRule")},
    "SuccessPolicyRule": {1: s("succeededIndexes", keep=True), 2: n("succeededCount", keep=True)},
    "CronJob": {1: _META, 2: m("spec", "CronJobSpec"), 3: m("status", "CronJobStatus")},
    "CronJobSpec": {
        1: s("schedule", keep=True), 8: s("timeZone", keep=True), 2: n("startingDeadlineSeconds", keep=True),
        3: s("concurrencyPolicy"), 4: b("suspend", keep=True), 5: m("jobTemplate", "JobTemplateSpec"),
        6: n("successfulJobsHistoryLimit", keep=True), 7: n("failedJobsHistoryLimit", keep=True),
    },
    "JobTemplateSpec": {1: _META, 2: m("spec", "JobSpec")},
    "CronJobStatus": {
        1: rm("active", "ObjectReference"), 4: t("lastScheduleTime"),
        5: t("lastSuccessfulTime"),
    },
}

OTHER_GROUPS: dict[str, Message] = {
    "RuntimeClass": {
        1: _META, 2: s("handler", keep=True), 3: m("overhead", "Overhead"), 4: m("scheduling", "Scheduling"),
    },
    "Overhead": {1: qmap("podFixed")},
    "Scheduling": {1: smap("nodeSelector"), 2: rm("tolerations", "Toleration")},
    "Lease": {1: _META, 2: m("spec", "LeaseSpec")},
    "LeaseSpec": {
        1: s("holderIdentity", keep=True), 2: n("leaseDurationSeconds", keep=True), 3: mt("acquireTime"),
        4: mt("renewTime"), 5: n("leaseTransitions", keep=True), 6: s("strategy", keep=True),
        7: s("preferredHolder", keep=True),
    },
    "Eviction": {1: _META, 2: m("deleteOptions", "DeleteOptions")},
}
