"""What the NVIDIA device plugin's Allocate answers for one container, per DEVICE_LIST_STRATEGY.

NVIDIA/k8s-device-plugin internal/plugin/server.go ``getAllocateResponse``:

- ``envvar``: env ``NVIDIA_VISIBLE_DEVICES=<uuid>,<uuid>``;
- ``volume-mounts``: env ``NVIDIA_VISIBLE_DEVICES=/var/run/nvidia-container-devices`` and, per device, a mount
  of ``/dev/null`` at ``/var/run/nvidia-container-devices/<uuid>``;
- ``cdi-annotations``: annotation ``cdi.k8s.io/nvidia-device-plugin_<response id>`` = ``nvidia.com/gpu=<uuid>,...``;
- ``cdi-cri``: the same names as CDI devices of the CRI request (the kubelet passes them to the runtime).

The non-CDI parts are left out when every strategy is a CDI one. The kubelet puts the env before the pod
spec's own variables, so a pod that sets NVIDIA_VISIBLE_DEVICES itself overrides the plugin's list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from ..model import DeviceListStrategy, Gpu

ENVVAR = "NVIDIA_VISIBLE_DEVICES"
MOUNTS_ROOT = "/var/run/nvidia-container-devices"
CDI_PREFIX = "cdi.k8s.io/"
CDI_KIND = "nvidia.com/gpu"
_CDI = ("cdi-annotations", "cdi-cri")


@dataclass(frozen=True)
class AllocateResponse:
    """One ContainerAllocateResponse: envs, mounts (container paths of /dev/null), annotations, CDI devices."""

    envs: dict[str, str] = field(default_factory=dict)
    device_mounts: tuple[str, ...] = ()
    annotations: dict[str, str] = field(default_factory=dict)
    cdi_devices: tuple[str, ...] = ()


def allocate(gpus: tuple[Gpu, ...], strategies: tuple[DeviceListStrategy, ...], response_id: str) -> AllocateResponse:
    """The response for ``gpus`` (none: the container asked for no device, so there is no response at all)."""
    if not gpus:
        return AllocateResponse()
    ids = [g.uuid for g in gpus]
    names = tuple(f"{CDI_KIND}={i}" for i in ids)
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
