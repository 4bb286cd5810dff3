"""What the NVIDIA device plugin's Allocate answers for one container, per DEVICE_LIST_STRATEGY.

NVIDIA/k8s-device-plugin internal/plugin/server.go ``getAllocateResponse``:

- ``envvar``: env ``NVIDIA_VISIBLE_DEVICES=<id>,<id>``;
- ``volume-mounts``: env ``NVIDIA_VISIBLE_DEVICES=/var/run/nvidia-container-devices`` and, per device, a mount
  of ``/dev/null`` at ``/var/run/nvidia-container-devices/<id>``;
- ``cdi-annotations``: annotation ``cdi.k8s.io/nvidia-device-plugin_<response id>`` (the CDI_ANNOTATION_PREFIX
  replaces ``cdi.k8s.io/``) = ``k8s.device-plugin.nvidia.com/gpu=<id>,...`` (``updateResponseForCDI``:
  ``QualifiedName("gpu", id)`` with the vendor plugin-manager.go gives, MIG devices included);
- ``cdi-cri``: the same names as CDI devices of the CRI request (the kubelet passes them to the runtime).

``<id>`` is the UUID the plugin enumerated at its start (a board replaced since keeps its old one), or the
index with DEVICE_ID_STRATEGY=index (``uniqueDeviceIDsFromAnnotatedDeviceIDs``).

The non-CDI parts are left out when every strategy is a CDI one. The kubelet puts the env before the pod
spec's own variables, so a pod that sets NVIDIA_VISIBLE_DEVICES itself overrides the plugin's list.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..cdi_spec import PLUGIN_KIND
from ..model import DeviceIdStrategy, DeviceListStrategy, Gpu

ENVVAR = "NVIDIA_VISIBLE_DEVICES"
MOUNTS_ROOT = "/var/run/nvidia-container-devices"
CDI_PREFIX = "cdi.k8s.io/"
_CDI = ("cdi-annotations", "cdi-cri")


@dataclass(frozen=True)
class AllocateResponse:
    """One ContainerAllocateResponse: envs, mounts (container paths of /dev/null), annotations, CDI devices."""

    envs: dict[str, str] = field(default_factory=dict)
    device_mounts: tuple[str, ...] = ()
    annotations: dict[str, str] = field(default_factory=dict)
    cdi_devices: tuple[str, ...] = ()


def allocate(gpus: tuple[Gpu, ...], strategies: tuple[DeviceListStrategy, ...], response_id: str,
             enumerated: Mapping[int, str] | None = None, id_strategy: DeviceIdStrategy = "uuid") -> AllocateResponse:
    """The response for ``gpus`` (none: the container asked for no device, so there is no response at all);
    ``enumerated``: GPU index -> the UUID the registered plugin read at its start (default: the GPU's own)."""
    if not gpus:
        return AllocateResponse()
    known = enumerated or {}
    ids = [known.get(g.index, g.uuid) if id_strategy == "uuid" else str(g.index) for g in gpus]
    names = tuple(f"{PLUGIN_KIND}={i}" for i in ids)
    annotations: dict[str, str] = {}
    if "cdi-annotations" in strategies:
        key = f"{CDI_PREFIX}nvidia-device-plugin_{uuid.uuid5(uuid.NAMESPACE_OID, response_id)}"
        annotations[key] = ",".join(names)
    cdi_devices = names if "cdi-cri" in strategies else ()
    if all(s in _CDI for s in strategies):
        return AllocateResponse(annotations=annotations, cdi_devices=cdi_devices)
    envs: dict[str, str] = {}
    mounts: tuple[str, ...] = ()
    if "envvar" in strategies:
        envs[ENVVAR] = ",".join(ids)
    if "volume-mounts" in strategies:
        envs[ENVVAR] = MOUNTS_ROOT
        mounts = tuple(f"{MOUNTS_ROOT}/{i}" for i in ids)
    return AllocateResponse(envs=envs, device_mounts=mounts, annotations=annotations, cdi_devices=cdi_devices)
