"""The namespace controller (deletion cascade) and the per-namespace defaults controllers.

Every namespace gets ServiceAccount ``default`` (serviceaccount-controller) and ConfigMap
``kube-root-ca.crt`` (root-ca-cert-publisher). A namespace with a deletionTimestamp turns
Terminating, has all its content deleted, and goes once the content is gone.
"""

from __future__ import annotations

from typing import Any

from ..errors import ApiError
from ..resources import CONFIGMAP, NAMESPACE, RESOURCES, SERVICEACCOUNT
from ..store import Obj, now_rfc3339
from .base import Context
from .objects import delete, set_condition

RETRY_SECONDS = 0.5


class NamespaceController:
    def __init__(self, ctx: Context, root_ca: str = "") -> None:
        self._ctx = ctx
        self._root_ca = root_ca
        self._retrying: set[str] = set()

    def stop(self) -> None:
        return None

    def on_event(self, type: str, resource: str, obj: Obj, old: Obj | None) -> None:
        if resource == NAMESPACE.key and type != "DELETED":
            name = obj["metadata"]["name"]
            if obj["metadata"].get("deletionTimestamp"):
                self._finalize(name)
            else:
                self._ensure_defaults(name)
        elif type == "DELETED" and resource in (SERVICEACCOUNT.key, CONFIGMAP.key):
            namespace = obj["metadata"].get("namespace", "")
            ns = self._ctx.store.find(NAMESPACE, "", namespace)
            if ns is not None and not ns["metadata"].get("deletionTimestamp"):
                self._ensure_defaults(namespace)

    def _ensure_defaults(self, namespace: str) -> None:
        store = self._ctx.store
        wanted: list[tuple[Any, Obj]] = [
            (SERVICEACCOUNT, {"metadata": {"name": "default", "namespace": namespace}}),
            (CONFIGMAP, {"metadata": {"name": "kube-root-ca.crt", "namespace": namespace,
                                      "annotations": {"kubernetes.io/description": _CA_DESCRIPTION}},
                         "data": {"ca.crt": self._root_ca}}),
        ]
        for rt, obj in wanted:
            if store.find(rt, namespace, obj["metadata"]["name"]) is None:
                try:
                    store.create(rt, obj)
                except ApiError:
                    continue

    def _remaining(self, namespace: str) -> dict[str, list[Obj]]:
        left: dict[str, list[Obj]] = {}
        for rt in RESOURCES:
            if rt.namespaced:
                items, _ = self._ctx.store.list(rt, namespace)
                if items:
                    left[rt.plural if not rt.group else f"{rt.plural}.{rt.group}"] = items
        return left

    def _finalize(self, namespace: str) -> None:
        store = self._ctx.store
        for rt in RESOURCES:
            if rt.namespaced:
                for obj in store.list(rt, namespace)[0]:
                    delete(store, rt, namespace, obj["metadata"]["name"], "Background")
        left = self._remaining(namespace)
        if left:
            self._mark_terminating(namespace, left)
            if namespace not in self._retrying:
                self._retrying.add(namespace)
                self._ctx.clock.after(RETRY_SECONDS, lambda: self._retry(namespace))
            return

        def drop_finalizer(obj: Obj) -> None:
            spec = obj.setdefault("spec", {})
            spec["finalizers"] = [f for f in spec.get("finalizers") or [] if f != "kubernetes"]

        try:
            ns = store.update(NAMESPACE, "", namespace, drop_finalizer)
            if not ns["metadata"].get("finalizers"):
                store.delete(NAMESPACE, "", namespace)
        except ApiError:
            return

    def _retry(self, namespace: str) -> None:
        self._retrying.discard(namespace)
        ns = self._ctx.store.find(NAMESPACE, "", namespace)
        if ns is not None and ns["metadata"].get("deletionTimestamp"):
            self._finalize(namespace)

    def _mark_terminating(self, namespace: str, left: dict[str, list[Obj]]) -> None:
        counts = ", ".join(f"{kind} has {len(objs)} resource instances"
                           for kind, objs in sorted(left.items()))
        finalizers: dict[str, int] = {}
        for items in left.values():
            for obj in items:
                for f in obj["metadata"].get("finalizers") or []:
                    finalizers[f] = finalizers.get(f, 0) + 1
        held = ", ".join(f"{f} in {n} resource instances" for f, n in sorted(finalizers.items()))
        content = [
            ("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered",
             "All resources successfully discovered"),
            ("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions",
             "All legacy kube types successfully parsed"),
            ("NamespaceDeletionContentFailure", "False", "ContentDeleted",
             "All content successfully deleted, may be waiting on finalization"),
            ("NamespaceContentRemaining", "True", "SomeResourcesRemain",
             f"Some resources are remaining: {counts}"),
            ("NamespaceFinalizersRemaining", "True", "SomeFinalizersRemain",
             f"Some content in the namespace has finalizers remaining: {held}") if finalizers else
            ("NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers",
             "All content-preserving finalizers finished"),
        ]

        def apply(obj: Obj) -> None:
            status = obj.setdefault("status", {})
            status["phase"] = "Terminating"
            conditions = status.setdefault("conditions", [])
            for kind, value, reason, message in content:
                new = {"type": kind, "status": value, "reason": reason, "message": message}
                set_condition(conditions, new, now_rfc3339())

        try:
            self._ctx.store.update(NAMESPACE, "", namespace, apply)
        except ApiError:
            return


_CA_DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
                   "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
                   "guaranteed across distributions of Kubernetes clusters.")
