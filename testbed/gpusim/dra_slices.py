"""The ResourceSlice NVIDIA's DRA kubelet plugin publishes for its node once it runs (stored in the v1 shape).

Devices as cmd/gpu-kubelet-plugin of kubernetes-sigs/dra-driver-nvidia-gpu v25.12.0 builds them: a full GPU
``gpu-<minor>`` (deviceinfo.go ``GpuInfo.CanonicalName``, attributes from partitions.go ``PartDevAttributes``),
a MIG device ``gpu-<minor>-mig-<profile without dots>-<profile id>-<placement start>`` (mig.go
``ToCanonicalName``) with its parent's attributes plus ``parentUUID`` and ``profile`` (deviceinfo.go
``MigDeviceInfo.GetDevice``). Versions are semver strings as Masterminds ``semver.MustParse(...).String()``
prints them: driver 535.104.05 -> ``535.104.5``, CUDA 12.2 -> ``12.2.0``, compute capability 8.0 -> ``8.0.0``.
The PCI bus ID is go-nvlib's ``GetPCIBusID`` form (lower case, 4-digit domain).

Not modelled: the ``resource.kubernetes.io/pcieRoot`` attribute (read from sysfs), a MIG device's engine and
memory-slice capacities; a MIG device's memory is its profile's GB in GiB, not NVML's exact size.

The slice is written through the kubelet plugin helper's ResourceSlice controller
(k8s.io/dynamic-resource-allocation/resourceslice): ``generateName: <node>-gpu.nvidia.com-``, pool named after
the node, owned by the Node. When the plugin exits, the kubelet wipes the node's slices of the driver once
``WIPING_DELAY`` has passed without a plugin of the driver registered again (pkg/kubelet/cm/dra/plugin
dra_plugin_manager.go ``sync``/``wipeResourceSlices``), so a plugin restarted at once keeps its slice.

With the NVMLDeviceHealthCheck gate on, a GPU the health check found unhealthy (``NodeSpec.unhealthy_gpus``) is
left out of the slice (driver.go republishes "only healthy devices": v25.12.0 does not use device taints yet);
with the test bed's ``deviceTaints`` switch it stays, tainted ``gpu.nvidia.com/xid=<Xid>:NoSchedule`` as the
project's later releases do (device_health.go ``healthEventToTaint``, a fatal Xid).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .cuda import reported_cuda
from .dra_driver_manifests import DRIVER
from .images.gpu_facts import architecture
from .mig_names import mig_names, profile
from .model import DraDriverSetup, Gpu, NodeSpec
from .resources import NODE, RESOURCESLICE
from .store import Store

if TYPE_CHECKING:
    from .controllers.base import Context

WIPING_DELAY = 30.0  # seconds: the kubelet's delay before it wipes an unregistered driver's slices


def unregister(ctx: Context, node: str, plugin_uid: str) -> None:
    """The plugin of pod ``plugin_uid`` exited: unregister it and, where it was the node's last plugin of the
    driver, wipe the node's slices of the driver after the delay unless one registers again meanwhile."""
    was = ctx.dra_plugins.registered(node, DRIVER)
    ctx.dra_plugins.unregister(node, plugin_uid)
    if not was or ctx.dra_plugins.registered(node, DRIVER):
        return

    def wipe() -> None:
        if ctx.dra_plugins.registered(node, DRIVER):
            return
        for obj in ctx.store.list(RESOURCESLICE, None, lambda s: _of(s, node))[0]:
            ctx.store.delete(RESOURCESLICE, "", obj["metadata"]["name"])

    ctx.clock.after(WIPING_DELAY, wipe, background=True)


def _of(slice_: dict[str, Any], node: str) -> bool:
    return bool(slice_["spec"].get("nodeName") == node and slice_["spec"].get("driver") == DRIVER)


def publish(store: Store, node: NodeSpec, setup: DraDriverSetup) -> None:
    """Write the node's slice unless it has one already (a restarted plugin finds its pool unchanged)."""
    if store.list(RESOURCESLICE, None, lambda s: _of(s, node.name))[0]:
        return
    owner = store.get(NODE, "", node.name)["metadata"]
    store.create(RESOURCESLICE, {
        "metadata": {"generateName": f"{node.name}-{DRIVER}-", "ownerReferences": [
            {"apiVersion": "v1", "kind": "Node", "name": node.name, "uid": owner["uid"], "controller": True}]},
        "spec": {"driver": DRIVER, "nodeName": node.name,
                 "pool": {"name": node.name, "generation": 1, "resourceSliceCount": 1},
                 "devices": devices(node, setup)},
    })


def devices(node: NodeSpec, setup: DraDriverSetup) -> list[dict[str, Any]]:
    unhealthy = set(node.unhealthy_gpus) if setup.gate("NVMLDeviceHealthCheck") else set()
    hidden = set(node.dra.omit_gpus) | (set() if setup.device_taints else unhealthy)
    listed: list[dict[str, Any]] = []
    for gpu in node.gpus:
        if gpu.index in hidden:
            continue
        own: list[dict[str, Any]] = _mig_devices(node, gpu) if gpu.mig_devices else [
            {"name": f"gpu-{gpu.index}", "attributes": {"type": {"string": "gpu"}, "uuid": {"string": gpu.uuid},
                                                        **_common(node, gpu)},
             "capacity": {"memory": {"value": f"{gpu.memory_mib}Mi"}}}]
        if gpu.index in unhealthy:
            for device in own:
                device["taints"] = [{"key": f"{DRIVER}/xid", "value": str(node.dra.xid), "effect": "NoSchedule"}]
        listed.extend(own)
    return listed


def _mig_devices(node: NodeSpec, gpu: Gpu) -> list[dict[str, Any]]:
    listed = []
    for mig, name in zip(gpu.mig_devices, mig_names(gpu), strict=True):
        memory_gb = profile(mig)[1]
        listed.append({"name": name, "attributes": {
            "type": {"string": "mig"}, "uuid": {"string": mig.uuid}, "parentUUID": {"string": gpu.uuid},
            "profile": {"string": mig.profile}, **_common(node, gpu)},
            "capacity": {"memory": {"value": f"{memory_gb}Gi"}}})
    return listed


def _common(node: NodeSpec, gpu: Gpu) -> dict[str, Any]:
    host = node.host
    driver = node.dra.driver_version or (host.driver_version if host is not None else None) or "0.0"
    family, major, minor, _ = architecture(gpu.name)
    cuda = reported_cuda(driver)
    if host is not None and host.cuda_driver_version and not node.dra.driver_version:
        cuda = (host.cuda_driver_version // 1000, host.cuda_driver_version % 1000 // 10)
    return {
        "productName": {"string": gpu.name},
        "brand": {"string": "GeForce" if "GeForce" in gpu.name else "Nvidia"},
        "architecture": {"string": family.replace("-", " ").title()},
        "cudaComputeCapability": {"version": f"{major}.{minor}.0"},
        "driverVersion": {"version": semver(driver)},
        "cudaDriverVersion": {"version": f"{cuda[0]}.{cuda[1]}.0"},
        "resource.kubernetes.io/pciBusID": {"string": gpu.pci_bus_id.lower().removeprefix("0000")},
    }


def semver(version: str) -> str:
    """Masterminds semver's String() of a loosely parsed version: leading zeros dropped, missing parts 0."""
    parts = [int(p) for p in version.split(".")][:3]
    return ".".join(str(p) for p in (*parts, 0, 0)[:3])
