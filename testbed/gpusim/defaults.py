"""Defaulting as the apiserver's defaulters and admission plugins apply it; shared by the API and the controllers."""

from __future__ import annotations

import random
from typing import Any

from .quantities import canonicalise, canonicalise_quantities
from .resources import (
    CLUSTERROLEBINDING,
    CRONJOB,
    DAEMONSET,
    JOB,
    NAMESPACE,
    POD,
    PVC,
    RBAC_GROUP,
    ROLEBINDING,
    SERVICE,
    SERVICEACCOUNT,
    ResourceType,
)
from .store import Store

Obj = dict[str, Any]

NOT_READY_TOLERATIONS = (
    {
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
    {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
)
SYSTEM_PRIORITIES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}
SERVICE_ACCOUNT_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_COMPUTE = ("cpu", "memory")


def _image_pull_policy(image: str) -> str:
    last = image.rsplit("/", 1)[-1]
    if "@" in last:
        return "IfNotPresent"
    tag = last.split(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _container(container: Obj) -> None:
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    container.setdefault("imagePullPolicy", _image_pull_policy(container.get("image", "")))
    resources = container.setdefault("resources", {})
    canonicalise(resources.get("limits"))
    canonicalise(resources.get("requests"))
    limits = resources.get("limits") or {}
    if limits:
        requests = resources.setdefault("requests", {})
        for name, quantity in limits.items():
            requests.setdefault(name, quantity)
    for port in container.get("ports") or []:
        port.setdefault("protocol", "TCP")


def pod_spec(spec: Obj) -> None:
    """SetDefaults_PodSpec and the container defaults, for pods and pod templates alike."""
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("securityContext", {})
    for key in ("initContainers", "containers"):
        for container in spec.get(key) or []:
            _container(container)


def qos_class(spec: Obj) -> str:
    containers = spec.get("containers") or []
    requested = guaranteed = False
    all_guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        if any(name in requests or name in limits for name in _COMPUTE):
            requested = True
        guaranteed = all(
            name in limits and requests.get(name, limits[name]) == limits[name] for name in _COMPUTE
        )
        all_guaranteed = all_guaranteed and guaranteed
    if not requested:
        return "BestEffort"
    return "Guaranteed" if all_guaranteed and containers else "Burstable"


def _pod_admission(pod: Obj) -> None:
    """What the ServiceAccount, Priority and DefaultTolerationSeconds admission plugins add to a new pod;
    the token volume comes with :func:`mount_service_account_token`, which needs the ServiceAccount."""
    spec = pod.setdefault("spec", {})
    account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    spec["serviceAccountName"] = spec["serviceAccount"] = account
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("priority", SYSTEM_PRIORITIES.get(spec.get("priorityClassName", ""), 0))
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    tolerations = spec.setdefault("tolerations", [])
    for default in NOT_READY_TOLERATIONS:
        if not any(
            t.get("key") in (default["key"], "", None) and t.get("effect") in (None, "", "NoExecute")
            for t in tolerations
        ):
            tolerations.append(dict(default))


def mount_service_account_token(store: Store, pod: Obj) -> None:
    """The ServiceAccount admission plugin's token volume: unless the pod's automountServiceAccountToken,
    or else its account's, is false."""
    meta, spec = pod["metadata"], pod["spec"]
    automount = spec.get("automountServiceAccountToken")
    if automount is None:
        account = store.find(SERVICEACCOUNT, meta.get("namespace", ""), spec.get("serviceAccountName", "default"))
        automount = (account or {}).get("automountServiceAccountToken")
    if automount is False:
        return
    containers = spec.get("containers") or []
    if any(
        m.get("mountPath") == SERVICE_ACCOUNT_MOUNT for c in containers for m in c.get("volumeMounts") or []
    ):
        return
    name = "kube-api-access-" + "".join(random.choices(_NAME_ALPHABET, k=5))
    spec.setdefault("volumes", []).append(
        {
            "name": name,
            "projected": {
                "defaultMode": 420,
                "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {
                        "configMap": {
                            "name": "kube-root-ca.crt",
                            "items": [{"key": "ca.crt", "path": "ca.crt"}],
                        }
                    },
                    {
                        "downwardAPI": {
                            "items": [
                                {
                                    "path": "namespace",
                                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                }
                            ]
                        }
                    },
                ],
            },
        }
    )
    for container in containers:
        container.setdefault("volumeMounts", []).append(
            {"name": name, "readOnly": True, "mountPath": SERVICE_ACCOUNT_MOUNT}
        )


def _template(owner_spec: Obj) -> Obj:
    template: Obj = owner_spec.setdefault("template", {})
    pod_spec(template.setdefault("spec", {}))
    return template


def job_spec(spec: Obj) -> None:
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("manualSelector", False)
    spec.setdefault(
        "podReplacementPolicy", "Failed" if spec.get("podFailurePolicy") else "TerminatingOrFailed"
    )
    _template(spec)


def job_selector(job: Obj) -> None:
    """The selector and template labels a new Job gets from its uid (unless ``manualSelector``)."""
    spec, meta = job["spec"], job["metadata"]
    if spec.get("manualSelector"):
        return
    uid, name = meta["uid"], meta["name"]
    labels = spec["template"].setdefault("metadata", {}).setdefault("labels", {})
    labels.update(
        {
            "batch.kubernetes.io/controller-uid": uid,
            "batch.kubernetes.io/job-name": name,
            "controller-uid": uid,
            "job-name": name,
        }
    )
    spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}


def _binding(obj: Obj) -> None:
    """SetDefaults_Subject and the bindings' roleRef.apiGroup."""
    ref = obj.get("roleRef")
    if isinstance(ref, dict) and not ref.get("apiGroup"):
        ref["apiGroup"] = RBAC_GROUP
    for subject in obj.get("subjects") or []:
        if isinstance(subject, dict) and not subject.get("apiGroup") and subject.get("kind") in ("User", "Group"):
            subject["apiGroup"] = RBAC_GROUP


def _claim(claim: Obj, creating: bool) -> None:
    """PersistentVolumeClaim defaults; a new claim starts Pending (the PV controller binds it)."""
    claim["spec"].setdefault("volumeMode", "Filesystem")
    if creating:
        claim["status"] = {"phase": "Pending"}


def apply_defaults(rt: ResourceType, obj: Obj, *, creating: bool) -> None:
    """Fill defaults in place; ``creating`` adds what only admission of a new object adds."""
    canonicalise_quantities(rt, obj)
    spec = obj.setdefault("spec", {}) if rt in (POD, JOB, DAEMONSET, CRONJOB, NAMESPACE, SERVICE, PVC) else {}
    if rt == POD:
        pod_spec(spec)
        if creating:
            _pod_admission(obj)
            obj["status"] = {"phase": "Pending", "qosClass": qos_class(spec)}
    elif rt == JOB:
        job_spec(spec)
    elif rt == DAEMONSET:
        spec.setdefault("updateStrategy", {"type": "RollingUpdate"})
        if spec["updateStrategy"].get("type") == "RollingUpdate":
            rolling = spec["updateStrategy"].setdefault("rollingUpdate", {})
            rolling.setdefault("maxUnavailable", 1)
            rolling.setdefault("maxSurge", 0)
        spec.setdefault("revisionHistoryLimit", 10)
        _template(spec)
    elif rt == CRONJOB:
        for key, value in (
            ("concurrencyPolicy", "Allow"),
            ("suspend", False),
            ("successfulJobsHistoryLimit", 3),
            ("failedJobsHistoryLimit", 1),
        ):
            spec.setdefault(key, value)
        _template(spec.setdefault("jobTemplate", {}).setdefault("spec", {}))
    elif rt == NAMESPACE:
        spec.setdefault("finalizers", ["kubernetes"])
        obj.setdefault("status", {}).setdefault("phase", "Active")
        if obj["metadata"].get("name"):
            obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
    elif rt in (ROLEBINDING, CLUSTERROLEBINDING):
        _binding(obj)
    elif rt == PVC:
        _claim(obj, creating)
    elif rt == SERVICE:
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        for port in spec.get("ports") or []:
            port.setdefault("protocol", "TCP")
            port.setdefault("targetPort", port.get("port"))
    if creating and rt in (JOB, DAEMONSET, CRONJOB, SERVICE):
        obj["status"] = {"loadBalancer": {}} if rt == SERVICE else {}
