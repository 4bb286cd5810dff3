"""The admission plugins of a kubeadm or kind apiserver that change what the API stores here.

Mutating, before validation: DefaultStorageClass (a claim without ``storageClassName`` gets the
default class), StorageObjectInUseProtection (the pvc- and pv-protection finalizers) and ServiceAccount
(a pod's token volume, unless it or its account opts out). Validating,
once a new object has its name: PodSecurity (see ``podsecurity.admission``).
"""

from __future__ import annotations

from collections.abc import Callable

from .. import defaults
from ..podsecurity import admission as pod_security
from ..resources import NAMESPACE, POD, PV, PVC, STORAGECLASS, ResourceType
from ..store import Store
from .messages import Obj

DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"


def default_storage_class(store: Store) -> str | None:
    """The newest class annotated as the default, as DefaultStorageClass picks it."""
    classes = [c for c in store.list(STORAGECLASS)[0]
               if (c["metadata"].get("annotations") or {}).get(DEFAULT_CLASS_ANNOTATION) == "true"]
    if not classes:
        return None
    newest = max(classes, key=lambda c: (c["metadata"]["creationTimestamp"], c["metadata"]["name"]))
    return str(newest["metadata"]["name"])


def _protect(obj: Obj, finalizer: str) -> None:
    finalizers = obj["metadata"].setdefault("finalizers", [])
    if finalizer not in finalizers:
        finalizers.append(finalizer)


def mutate_new(store: Store, rt: ResourceType, obj: Obj) -> None:
    if rt == PVC:
        spec = obj.setdefault("spec", {})
        if spec.get("storageClassName") is None and (default := default_storage_class(store)) is not None:
            spec["storageClassName"] = default
        _protect(obj, PVC_PROTECTION)
    elif rt == PV:
        _protect(obj, PV_PROTECTION)
    elif rt == POD:
        defaults.mount_service_account_token(store, obj)


def validate_new(store: Store, rt: ResourceType, obj: Obj) -> tuple[Callable[[Obj], None] | None, list[str]]:
    """What checks a new object once it has a name (None: nothing), and the warnings list it fills."""
    if rt == NAMESPACE:
        pod_security.validate_namespace_labels(obj, None)
    warnings = pod_security.workload_warnings(store, rt, obj)
    if rt != POD:
        return None, warnings

    def admit(pod: Obj) -> None:
        warnings.extend(pod_security.admit_pod(store, pod))

    return admit, warnings


def validate_update(store: Store, rt: ResourceType, old: Obj, new: Obj) -> list[str]:
    """Checks of an updated object; the warnings to send."""
    if rt == NAMESPACE:
        pod_security.validate_namespace_labels(new, old)
    return pod_security.workload_warnings(store, rt, new)
