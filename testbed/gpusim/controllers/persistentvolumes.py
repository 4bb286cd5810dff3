"""PersistentVolumeClaims end to end as on kind: the persistentvolume-controller, the local-path
provisioner (``rancher.io/local-path``) and the pvc-/pv-protection controllers.

A claim of a WaitForFirstConsumer class stays Pending until the scheduler picks a node for its
first pod; the provisioner then makes a PersistentVolume ``pvc-<claim uid>`` on that node (a hostPath
``/var/local-path-provisioner/pvc-<uid>_<namespace>_<claim>`` with node affinity), and the claim is
Bound to it. On this machine the volume is a real directory under the cluster's work dir, which
project-image containers mount, so what one pod writes the next pod of the same claim reads. A
deleted claim stays (Terminating) while a scheduled pod names it, finished pods included until
they are deleted, as the real pvc-protection controller has it; with reclaim policy Delete its
volume and directory then go with it.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path, PurePosixPath

from ..errors import ApiError
from ..resources import POD, PV, PVC, STORAGECLASS, ResourceType
from ..store import Obj
from .base import Context
from .objects import is_deleting
from .volume_binding import SELECTED_NODE, claim_names, waits_for_consumer

COMPONENT = "persistentvolume-controller"
PROVISIONER = "rancher.io/local-path"
LOCAL_PATH_ROOT = "/var/local-path-provisioner"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
PROVISIONER_NODE = "local.path.provisioner/selected-node"
_SUPPORTED_MODES = ("ReadWriteOnce", "ReadWriteOncePod")


def volume_directory(volumes_root: Path | None, volume: Obj) -> Path | None:
    """The directory on this machine that stands for a local volume's path on its node."""
    node: str = (volume["metadata"].get("annotations") or {}).get(PROVISIONER_NODE, "")
    path: str = ((volume.get("spec") or {}).get("hostPath") or {}).get("path", "")
    if volumes_root is None or not node or not path:
        return None
    return volumes_root / node / PurePosixPath(path).name


def claim_directory(ctx: Context, namespace: str, claim_name: str) -> Path | None:
    """Where a bound claim's local volume lives on this machine; None while it has none."""
    claim = ctx.store.find(PVC, namespace, claim_name)
    volume_name: str | None = (claim or {}).get("spec", {}).get("volumeName")
    volume = ctx.store.find(PV, "", volume_name) if volume_name else None
    return None if volume is None else volume_directory(ctx.volumes_root, volume)


class VolumeController:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._told_waiting: set[str] = set()  # claims already given their WaitForFirstConsumer event
        self._instance = f"{PROVISIONER}_local-path-provisioner-7577fdbbfb-{uuid.uuid4().hex[:5]}_{uuid.uuid4()}"

    def stop(self) -> None:
        return None

    def on_event(self, type: str, resource: str, obj: Obj, old: Obj | None) -> None:
        if resource == PVC.key:
            if type == "DELETED":
                self._reclaim(obj)
            elif is_deleting(obj):
                self._unprotect_claim(obj)
            else:
                self._sync_claim(obj)
        elif resource == POD.key and type == "DELETED":
            namespace = obj["metadata"]["namespace"]
            for name in claim_names(obj["spec"]):
                claim = self._ctx.store.find(PVC, namespace, name)
                if claim is not None and is_deleting(claim):
                    self._unprotect_claim(claim)

    # -- binding and provisioning ------------------------------------------------------------

    def _sync_claim(self, claim: Obj) -> None:
        if claim["spec"].get("volumeName"):
            return
        store, meta = self._ctx.store, claim["metadata"]
        class_name = claim["spec"].get("storageClassName") or ""
        sc = store.find(STORAGECLASS, "", class_name) if class_name else None
        if sc is None:
            message = (f'storageclass.storage.k8s.io "{class_name}" not found' if class_name else
                       "no persistent volumes available for this claim and no storage class is set")
            self._once(claim, "Warning", "ProvisioningFailed" if class_name else "FailedBinding", message)
            return
        node = (meta.get("annotations") or {}).get(SELECTED_NODE)
        if node is None:
            if waits_for_consumer(store, claim):
                self._once(claim, "Normal", "WaitForFirstConsumer",
                           "waiting for first consumer to be created before binding")
            else:
                self._failed(claim, sc, "configuration error, no node was specified")
            return
        self._provision(claim, sc, node)

    def _once(self, claim: Obj, type: str, reason: str, message: str) -> None:
        uid = claim["metadata"]["uid"]
        if uid not in self._told_waiting:
            self._told_waiting.add(uid)
            self._ctx.recorder.event(claim, type, reason, message, COMPONENT)

    def _failed(self, claim: Obj, sc: Obj, why: str) -> None:
        self._once(claim, "Warning", "ProvisioningFailed",
                   f'failed to provision volume with StorageClass "{sc["metadata"]["name"]}": {why}')

    def _provision(self, claim: Obj, sc: Obj, node: str) -> None:
        meta, spec = claim["metadata"], claim["spec"]
        recorder = self._ctx.recorder
        if sc.get("provisioner") != PROVISIONER:
            return  # no such provisioner runs here: the claim waits, as it would for a missing one
        modes = spec.get("accessModes") or []
        if any(mode not in _SUPPORTED_MODES for mode in modes):
            self._failed(claim, sc, "Only support ReadWriteOnce access mode")
            return
        recorder.event(claim, "Normal", "ExternalProvisioning",
                       f'waiting for a volume to be created, either by external provisioner "{PROVISIONER}" or '
                       "manually created by system administrator", COMPONENT)
        recorder.event(claim, "Normal", "Provisioning", f'External provisioner is provisioning volume for claim '
                       f'"{meta["namespace"]}/{meta["name"]}"', self._instance)
        volume = self._ctx.store.create(PV, self._volume(claim, sc, node))
        name = volume["metadata"]["name"]
        directory = volume_directory(self._ctx.volumes_root, volume)
        if directory is not None:
            directory.mkdir(mode=0o777, parents=True, exist_ok=True)
        recorder.event(claim, "Normal", "ProvisioningSucceeded", f"Successfully provisioned volume {name}",
                       self._instance)
        self._bind(claim, volume)

    @staticmethod
    def _volume(claim: Obj, sc: Obj, node: str) -> Obj:
        meta, spec = claim["metadata"], claim["spec"]
        name = f"pvc-{meta['uid']}"
        return {
            "metadata": {"name": name, "finalizers": [PV_PROTECTION],
                         "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER, PROVISIONER_NODE: node}},
            "spec": {
                "accessModes": list(spec.get("accessModes") or []),
                "capacity": {"storage": spec["resources"]["requests"]["storage"]},
                "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": meta["name"],
                             "namespace": meta["namespace"], "resourceVersion": meta["resourceVersion"],
                             "uid": meta["uid"]},
                "hostPath": {"path": f"{LOCAL_PATH_ROOT}/{name}_{meta['namespace']}_{meta['name']}",
                             "type": "DirectoryOrCreate"},
                "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                    {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}},
                "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy") or "Delete",
                "storageClassName": sc["metadata"]["name"],
                "volumeMode": spec.get("volumeMode") or "Filesystem",
            },
            "status": {"phase": "Bound"},
        }

    def _bind(self, claim: Obj, volume: Obj) -> None:
        def bind(obj: Obj) -> None:
            obj["metadata"].setdefault("annotations", {}).update({
                "pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes",
                "volume.beta.kubernetes.io/storage-provisioner": PROVISIONER,
                "volume.kubernetes.io/storage-provisioner": PROVISIONER,
            })
            obj["spec"]["volumeName"] = volume["metadata"]["name"]
            obj["status"] = {"phase": "Bound", "accessModes": list(volume["spec"]["accessModes"]),
                             "capacity": dict(volume["spec"]["capacity"])}

        try:
            self._ctx.store.update(PVC, claim["metadata"]["namespace"], claim["metadata"]["name"], bind)
        except ApiError:
            return

    # -- protection and reclaiming -----------------------------------------------------------

    def _in_use(self, claim: Obj) -> bool:
        """podUsesPVC: any scheduled pod naming the claim, finished ones too, until the pod is deleted."""
        name = claim["metadata"]["name"]
        pods, _ = self._ctx.store.list(POD, claim["metadata"]["namespace"])
        return any(p["spec"].get("nodeName") and name in claim_names(p["spec"]) for p in pods)

    def _unprotect_claim(self, claim: Obj) -> None:
        if PVC_PROTECTION not in (claim["metadata"].get("finalizers") or []) or self._in_use(claim):
            return
        self._drop_finalizer(PVC, claim, PVC_PROTECTION)

    def _drop_finalizer(self, rt: ResourceType, obj: Obj, finalizer: str) -> None:
        def drop(draft: Obj) -> None:
            draft["metadata"]["finalizers"] = [f for f in draft["metadata"].get("finalizers") or [] if f != finalizer]

        try:
            self._ctx.store.update(rt, obj["metadata"].get("namespace", ""), obj["metadata"]["name"], drop)
        except ApiError:
            return

    def _reclaim(self, claim: Obj) -> None:
        """The claim is gone: Delete removes its volume and directory, Retain leaves the volume Released."""
        self._told_waiting.discard(claim["metadata"]["uid"])
        for volume in self._ctx.store.list(PV)[0]:
            ref = volume["spec"].get("claimRef") or {}
            if ref.get("uid") != claim["metadata"]["uid"]:
                continue
            if volume["spec"].get("persistentVolumeReclaimPolicy") != "Delete":
                self._ctx.store.update(PV, "", volume["metadata"]["name"],
                                       lambda obj: obj.__setitem__("status", {"phase": "Released"}))
                continue
            directory = volume_directory(self._ctx.volumes_root, volume)
            if directory is not None:
                shutil.rmtree(directory, ignore_errors=True)
            self._drop_finalizer(PV, volume, PV_PROTECTION)
            try:
                self._ctx.store.delete(PV, "", volume["metadata"]["name"])
            except ApiError:
                continue
