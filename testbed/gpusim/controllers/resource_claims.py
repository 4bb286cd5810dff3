"""The resource claim controller: ResourceClaims from a pod's templates, and claims freed when the pod is done.

As kubernetes/kubernetes v1.34 pkg/controller/resourceclaim/controller.go does:
- for each ``spec.resourceClaims`` entry with ``resourceClaimTemplateName`` and no entry in
  ``status.resourceClaimStatuses``, a claim is created from the template (generateName ``<pod>-<entry>-``, the
  annotation ``resource.kubernetes.io/pod-claim-name``, a controller ownerReference to the pod) and the pod's
  status names it; a missing template leaves a ``FailedResourceClaimCreation`` event on the pod;
- once a pod is done or gone, it leaves its claims' ``status.reservedFor``; a claim that nothing reserves loses
  its allocation and the scheduler's ``resource.kubernetes.io/delete-protection`` finalizer (so a claim deleted
  while in use goes only then), and a claim generated for that pod is deleted.
"""

from __future__ import annotations

import copy
from typing import Any

from ..errors import ApiError
from ..resources import POD, RESOURCECLAIM, RESOURCECLAIMTEMPLATE
from ..store import Obj
from .base import Context
from .dra_allocation import DELETE_PROTECTION
from .objects import controller_uid, delete, is_deleting, is_terminal, owner_reference

COMPONENT = "resourceclaim-controller"
POD_CLAIM_NAME = "resource.kubernetes.io/pod-claim-name"
_MAX_GENERATE_BASE = 57  # generateName keeps room for the random suffix within 63 characters


class ResourceClaimController:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def stop(self) -> None:
        return None

    def on_event(self, type: str, resource: str, obj: Obj, old: Obj | None) -> None:
        if resource == POD.key and (obj["spec"].get("resourceClaims") or (obj.get("status") or {}).get(
                "resourceClaimStatuses")):
            if type == "DELETED" or is_terminal(obj):
                self._release(obj)
            elif not is_deleting(obj):
                self._create_claims(obj)
        elif resource == RESOURCECLAIM.key and type != "DELETED" and is_deleting(obj):
            status = obj.get("status") or {}
            if status.get("allocation") and not status.get("reservedFor"):
                self._unreserve(obj, "")  # a deleted claim nothing uses is deallocated, then goes
        elif resource == RESOURCECLAIMTEMPLATE.key and type == "ADDED":
            pods, _ = self._ctx.store.list(POD, obj["metadata"]["namespace"])
            for pod in pods:
                if not is_terminal(pod) and not is_deleting(pod):
                    self._create_claims(pod)

    def _create_claims(self, event_pod: Obj) -> None:
        meta = event_pod["metadata"]
        pod = self._ctx.store.find(POD, meta["namespace"], meta["name"])
        if pod is None or pod["metadata"]["uid"] != meta["uid"]:
            return
        done = {s["name"] for s in (pod.get("status") or {}).get("resourceClaimStatuses") or []}
        created: list[dict[str, Any]] = []
        for entry in pod["spec"].get("resourceClaims") or []:
            template_name = entry.get("resourceClaimTemplateName")
            if template_name is None or entry["name"] in done:
                continue
            existing = self._owned_claim(pod, entry["name"])
            if existing is not None:  # made before the pod's status said so (findPodResourceClaim)
                created.append({"name": entry["name"], "resourceClaimName": existing})
                continue
            template = self._ctx.store.find(RESOURCECLAIMTEMPLATE, meta["namespace"], template_name)
            if template is None:
                self._ctx.recorder.event(
                    pod, "Warning", "FailedResourceClaimCreation",
                    f'PodResourceClaim {entry["name"]}: resource claim template "{template_name}": '
                    f'resourceclaimtemplate.resource.k8s.io "{template_name}" not found', COMPONENT)
                continue
            claim = self._claim_from(pod, entry["name"], template)
            try:
                made = self._ctx.store.create(RESOURCECLAIM, claim)
            except ApiError:
                continue
            created.append({"name": entry["name"], "resourceClaimName": made["metadata"]["name"]})
        if created:
            self._update_pod(pod, lambda status: status.setdefault("resourceClaimStatuses", []).extend(created))

    def _owned_claim(self, pod: Obj, entry: str) -> str | None:
        claims, _ = self._ctx.store.list(RESOURCECLAIM, pod["metadata"]["namespace"])
        for claim in claims:
            if controller_uid(claim) == pod["metadata"]["uid"] and \
                    (claim["metadata"].get("annotations") or {}).get(POD_CLAIM_NAME) == entry:
                name: str = claim["metadata"]["name"]
                return name
        return None

    def _claim_from(self, pod: Obj, entry: str, template: Obj) -> Obj:
        meta, template_meta = pod["metadata"], (template["spec"].get("metadata") or {})
        prefix = f"{meta['name']}-{entry}-"[:_MAX_GENERATE_BASE]
        return {
            "apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaim",
            "metadata": {
                "generateName": prefix, "namespace": meta["namespace"],
                "labels": dict(template_meta.get("labels") or {}),
                "annotations": {**(template_meta.get("annotations") or {}), POD_CLAIM_NAME: entry},
                "ownerReferences": [owner_reference(pod)],
            },
            "spec": copy.deepcopy(template["spec"]["spec"]),
        }

    def _update_pod(self, pod: Obj, change: Any) -> None:
        meta = pod["metadata"]
        try:
            self._ctx.store.update(POD, meta["namespace"], meta["name"],
                                   lambda obj: change(obj.setdefault("status", {})))
        except ApiError:  # the pod went away meanwhile
            return

    def _release(self, pod: Obj) -> None:
        meta = pod["metadata"]
        claims, _ = self._ctx.store.list(RESOURCECLAIM, meta["namespace"])
        for claim in claims:
            reserved = (claim.get("status") or {}).get("reservedFor") or []
            if any(r.get("uid") == meta["uid"] for r in reserved):
                self._unreserve(claim, meta["uid"])
            elif controller_uid(claim) == meta["uid"] and not reserved:
                delete(self._ctx.store, RESOURCECLAIM, meta["namespace"], claim["metadata"]["name"])

    def _unreserve(self, claim: Obj, pod_uid: str) -> None:
        def change(obj: Obj) -> None:
            status = obj.setdefault("status", {})
            status["reservedFor"] = [r for r in status.get("reservedFor") or [] if r.get("uid") != pod_uid]
            if not status["reservedFor"]:
                status.pop("reservedFor")
                status.pop("allocation", None)
                obj["metadata"]["finalizers"] = [f for f in obj["metadata"].get("finalizers") or []
                                                 if f != DELETE_PROTECTION]

        meta = claim["metadata"]
        try:
            updated = self._ctx.store.update(RESOURCECLAIM, meta["namespace"], meta["name"], change)
        except ApiError:
            return
        if controller_uid(updated) == pod_uid and not updated["status"].get("reservedFor"):
            delete(self._ctx.store, RESOURCECLAIM, meta["namespace"], meta["name"])
