"""The kubelet's side of DRA: prepare a pod's allocated claims through the node's registered plugin, and the CDI
device ids each container gets.

- kubernetes/kubernetes v1.34 pkg/kubelet/kuberuntime/kuberuntime_manager.go: before the sandbox,
  ``PrepareDynamicResources``; on error the event ``FailedPrepareDynamicResources`` "Failed to prepare dynamic
  resources: %v" and the pod stays ContainerCreating until a later sync succeeds. pkg/kubelet/cm/dra: the claim
  must be reserved for the pod (a pod bound by hand past the scheduler is "not allowed to use resource claim"), its
  driver must have registered its plugin on the node (``prepare dynamic resources: DRA driver %s is not
  registered``); the plugin answers NodePrepareResources with CDI device ids, which the kubelet passes to the
  runtime for the containers that name the claim in ``resources.claims`` (pkg/kubelet/cm/dra/manager.go
  GetResources).
- kubernetes-sigs/dra-driver-nvidia-gpu cmd/gpu-kubelet-plugin/cdi.go: the plugin writes one transient CDI spec
  per claim, ``/var/run/cdi/k8s.gpu.nvidia.com-claim_<claimUID>.yaml`` (cdiapi.GenerateTransientSpecName, YAML
  by default), kind ``k8s.gpu.nvidia.com/claim``, a device ``<claimUID>-<device>`` per allocated device with that
  GPU's device node, and deletes it at NodeUnprepareResources. The allocated device is found on the node through
  the slice's ``uuid`` attribute (a MIG device through ``parentUUID``), never through its name. Limitation: a MIG
  device's spec carries only its parent's /dev/nvidiaN (no /dev/nvidia-caps nodes), so the container sees the
  parent GPU: the test bed's runtime injects whole GPUs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..resources import RESOURCECLAIM, RESOURCESLICE
from ..store import Obj, Store
from .base import Context

NVIDIA_DRIVER = "gpu.nvidia.com"
CDI_VENDOR = "k8s.gpu.nvidia.com"
CDI_KIND = f"{CDI_VENDOR}/claim"
SPEC_DIR = "var/run/cdi"


def spec_file(root: Path, claim_uid: str) -> Path:
    return root / SPEC_DIR / f"{CDI_VENDOR}-claim_{claim_uid}.yaml"


def pod_claims(store: Store, pod: Obj) -> dict[str, Obj]:
    """The pod's claims that exist, by their entry name in ``spec.resourceClaims``."""
    namespace = pod["metadata"]["namespace"]
    generated = {s["name"]: s.get("resourceClaimName")
                 for s in (pod.get("status") or {}).get("resourceClaimStatuses") or []}
    found: dict[str, Obj] = {}
    for entry in pod["spec"].get("resourceClaims") or []:
        name = entry.get("resourceClaimName") or generated.get(entry["name"])
        claim = store.find(RESOURCECLAIM, namespace, name) if name else None
        if claim is not None:
            found[entry["name"]] = claim
    return found


def _results(claim: Obj) -> list[dict[str, Any]]:
    allocation = (claim.get("status") or {}).get("allocation") or {}
    results: list[dict[str, Any]] = (allocation.get("devices") or {}).get("results") or []
    return results


def prepare(ctx: Context, node: str, pod: Obj) -> str | None:
    """NodePrepareResources for every claim of the pod; the kubelet's error text when one cannot be prepared."""
    root, meta = ctx.host_roots.get(node), pod["metadata"]
    for claim in pod_claims(ctx.store, pod).values():
        if all(r.get("uid") != meta["uid"] for r in (claim.get("status") or {}).get("reservedFor") or []):
            return (f"prepare dynamic resources: pod {meta['name']}({meta['uid']}) is not allowed to use resource "
                    f"claim {claim['metadata']['name']}({claim['metadata']['uid']})")
        drivers = sorted({r["driver"] for r in _results(claim)})
        for driver in drivers:
            if not ctx.dra_plugins.registered(node, driver):
                return f"prepare dynamic resources: DRA driver {driver} is not registered"
        if root is not None and NVIDIA_DRIVER in drivers:
            _write_claim_spec(ctx, node, root, claim)
    return None


def unprepare(ctx: Context, node: str, pod: Obj) -> None:
    """NodeUnprepareResources: the claim's spec goes once no pod on the node uses the claim."""
    root = ctx.host_roots.get(node)
    if root is None:
        return
    for claim in pod_claims(ctx.store, pod).values():
        others = [r for r in (claim.get("status") or {}).get("reservedFor") or []
                  if r.get("uid") != pod["metadata"]["uid"]]
        if not others:
            spec_file(root, claim["metadata"]["uid"]).unlink(missing_ok=True)


def _write_claim_spec(ctx: Context, node: str, root: Path, claim: Obj) -> None:
    uid = claim["metadata"]["uid"]
    gpus = {g.uuid: g.index for g in ctx.scenario.node(node).gpus}
    devices: list[dict[str, Any]] = []
    for result in _results(claim):
        if result["driver"] != NVIDIA_DRIVER:
            continue
        attributes = _slice_device(ctx.store, node, result).get("attributes") or {}
        gpu_uuid = (attributes.get("parentUUID") or attributes.get("uuid") or {}).get("string")
        minor = gpus.get(str(gpu_uuid))
        nodes = [] if minor is None else [{"path": f"/dev/nvidia{minor}"}]
        devices.append({"name": f"{uid}-{result['device']}",
                        "containerEdits": {"env": [f"NVIDIA_VISIBLE_DEVICES={gpu_uuid}"], "deviceNodes": nodes}})
    path = spec_file(root, uid)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"cdiVersion": "0.5.0", "kind": CDI_KIND, "devices": devices}))


def _slice_device(store: Store, node: str, result: dict[str, Any]) -> dict[str, Any]:
    slices, _ = store.list(RESOURCESLICE)
    for item in slices:
        spec = item["spec"]
        if spec.get("nodeName") == node and spec["driver"] == result["driver"] and \
                spec["pool"]["name"] == result["pool"]:
            for device in spec.get("devices") or []:
                if device["name"] == result["device"]:
                    found: dict[str, Any] = device
                    return found
    return {}


def container_cdi_devices(store: Store, pod: Obj, container: dict[str, Any]) -> tuple[str, ...]:
    """The CDI ids of the claims the container names in ``resources.claims`` (a ``request`` narrows to it)."""
    claims = pod_claims(store, pod)
    ids: list[str] = []
    for wanted in (container.get("resources") or {}).get("claims") or []:
        claim = claims.get(wanted["name"])
        if claim is None:
            continue
        for result in _results(claim):
            request = wanted.get("request")
            if result["driver"] == NVIDIA_DRIVER and (not request or result["request"].split("/")[0] == request):
                ids.append(f"{CDI_KIND}={claim['metadata']['uid']}-{result['device']}")
    return tuple(ids)
