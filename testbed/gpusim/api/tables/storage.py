"""Printers for PersistentVolumeClaims, PersistentVolumes and StorageClasses, as a 1.28 apiserver prints them."""

from __future__ import annotations

from typing import Any

from .columns import Column, age_column, column, name_column
from .duration import since

Obj = dict[str, Any]
_MODES = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))

PVC_COLUMNS: list[Column] = [
    name_column(),
    column("Status", description="phase represents the current phase of PersistentVolumeClaim."),
    column("Volume", description="volumeName is the binding reference to the PersistentVolume backing this claim."),
    column("Capacity", description="capacity represents the actual resources of the underlying volume."),
    column("Access Modes", description="accessModes contains the actual access modes the volume backing the PVC "
                                       "has."),
    column("StorageClass", description="StorageClass of the pvc"),
    age_column(),
    column("VolumeMode", priority=1, description="volumeMode defines what type of volume is required by the claim."),
]
PV_COLUMNS: list[Column] = [
    name_column(),
    column("Capacity", description="capacity is the description of the persistent volume's resources and "
                                   "capacity."),
    column("Access Modes", description="accessModes contains all ways the volume can be mounted."),
    column("Reclaim Policy", description="persistentVolumeReclaimPolicy defines what happens to a persistent "
                                         "volume when released from its claim."),
    column("Status", description="phase indicates if a volume is available, bound to a claim, or released by a "
                                 "claim."),
    column("Claim", description="claimRef is part of a bi-directional binding between PersistentVolume and "
                                "PersistentVolumeClaim."),
    column("StorageClass", description="StorageClass of the pv"),
    column("Reason", description="reason is a brief CamelCase string that describes any failure and is meant for "
                                 "machine parsing and tidy display in the CLI."),
    age_column(),
    column("VolumeMode", priority=1, description="volumeMode defines if a volume is intended to be used with a "
                                                 "formatted filesystem or to remain in raw block state."),
]
STORAGECLASS_COLUMNS: list[Column] = [
    name_column(),
    column("Provisioner", description="provisioner indicates the type of the provisioner."),
    column("ReclaimPolicy", description="reclaimPolicy controls the reclaimPolicy for dynamically provisioned "
                                        "PersistentVolumes of this storage class. Defaults to Delete."),
    column("VolumeBindingMode", description="volumeBindingMode indicates how PersistentVolumeClaims should be "
                                            "provisioned and bound.  When unset, VolumeBindingImmediate is used."),
    column("AllowVolumeExpansion", description="allowVolumeExpansion shows whether the storage class allow volume "
                                               "expand."),
    age_column(),
]


def access_modes(modes: list[str] | None) -> str:
    """helper.GetAccessModesAsString."""
    return ",".join(short for mode, short in _MODES if mode in (modes or []))


def _phase(obj: Obj) -> str:
    return "Terminating" if obj["metadata"].get("deletionTimestamp") else str((obj.get("status") or {}).get(
        "phase", ""))


def pvc_row(claim: Obj) -> list[Any]:
    spec, status = claim.get("spec") or {}, claim.get("status") or {}
    bound = bool(spec.get("volumeName"))
    return [claim["metadata"]["name"], _phase(claim), spec.get("volumeName", ""),
            (status.get("capacity") or {}).get("storage", "") if bound else "",
            access_modes(status.get("accessModes")) if bound else "", spec.get("storageClassName") or "",
            since(claim["metadata"].get("creationTimestamp")), spec.get("volumeMode") or "<unset>"]


def pv_row(volume: Obj) -> list[Any]:
    spec, status = volume.get("spec") or {}, volume.get("status") or {}
    ref = spec.get("claimRef")
    return [volume["metadata"]["name"], (spec.get("capacity") or {}).get("storage", ""),
            access_modes(spec.get("accessModes")), spec.get("persistentVolumeReclaimPolicy", ""), _phase(volume),
            f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else "", spec.get("storageClassName", ""),
            status.get("reason", ""), since(volume["metadata"].get("creationTimestamp")),
            spec.get("volumeMode") or "<unset>"]


def storageclass_row(sc: Obj) -> list[Any]:
    name = sc["metadata"]["name"]
    if (sc["metadata"].get("annotations") or {}).get("storageclass.kubernetes.io/is-default-class") == "true":
        name += " (default)"
    return [name, sc.get("provisioner", ""), sc.get("reclaimPolicy") or "Delete",
            sc.get("volumeBindingMode") or "Immediate", bool(sc.get("allowVolumeExpansion")),
            since(sc["metadata"].get("creationTimestamp"))]
