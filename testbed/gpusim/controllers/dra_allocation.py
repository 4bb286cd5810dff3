"""The scheduler's DynamicResources plugin: a pod's ResourceClaims found, then allocated from one node's devices.

Behaviour and wording follow kubernetes/kubernetes v1.34: pkg/scheduler/framework/plugins/dynamicresources
(PreFilter: a claim from a template exists once the pod's status names it, else resourceclaim.Name's
``pod "<ns>/<name>": ResourceClaim not created yet``; Filter: ``cannot allocate all claims``, an allocated claim
elsewhere ``resourceclaim not available on the node``, both UnschedulableAndUnresolvable) and
staging/src/k8s.io/dynamic-resource-allocation/structured (the allocator: devices of the node's complete pools,
the DeviceClass's selectors and the request's, ``ExactCount``/``All``, ``firstAvailable`` in order, devices no
other claim holds, NoSchedule and NoExecute device taints the request does not tolerate skipped; a CEL error
fails the allocation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..cel import Device, compile_selector
from ..resources import DEVICECLASS, RESOURCECLAIM, RESOURCESLICE
from ..store import Obj, Store

CANNOT_ALLOCATE = "cannot allocate all claims"
NOT_ON_NODE = "resourceclaim not available on the node"
DELETE_PROTECTION = "resource.kubernetes.io/delete-protection"  # resourceapi.Finalizer
DeviceId = tuple[str, str, str]  # driver, pool, device


@dataclass(frozen=True)
class PodClaims:
    claims: list[Obj]  # the pod's claims, in spec order
    blocked: str | None = None  # the PreFilter message when the pod must wait


def pod_claims(store: Store, pod: Obj) -> PodClaims:
    """PreFilter: every claim the pod references, or why the pod cannot be scheduled yet."""
    meta, status = pod["metadata"], pod.get("status") or {}
    generated = {s["name"]: s.get("resourceClaimName") for s in status.get("resourceClaimStatuses") or []}
    claims: list[Obj] = []
    for entry in pod["spec"].get("resourceClaims") or []:
        name = entry.get("resourceClaimName")
        if name is None:
            if entry["name"] not in generated:
                return PodClaims([], f'pod "{meta["namespace"]}/{meta["name"]}": ResourceClaim not created yet')
            name = generated[entry["name"]]
            if name is None:  # the template asked for no claim
                continue
        claim = store.find(RESOURCECLAIM, meta["namespace"], name)
        if claim is None:
            return PodClaims([], f'resourceclaim.resource.k8s.io "{name}" not found')
        if claim["metadata"].get("deletionTimestamp"):
            return PodClaims([], f'resourceclaim "{name}" is being deleted')
        claims.append(claim)
    return PodClaims(claims)


def missing_class(store: Store, claims: list[Obj]) -> str | None:
    """PreFilter: a request naming a DeviceClass that does not exist."""
    for claim in claims:
        if (claim.get("status") or {}).get("allocation"):
            continue
        for request, exactly in _requests(claim):
            name = exactly.get("deviceClassName", "")
            if store.find(DEVICECLASS, "", name) is None:
                return f"request {request}: device class {name} does not exist"
    return None


def in_use(store: Store) -> set[DeviceId]:
    """Devices allocated to any claim."""
    claims, _ = store.list(RESOURCECLAIM)
    return {_device_id(result) for claim in claims for result in _results(claim)}


def allocate(store: Store, claims: list[Obj], node: Obj, taken: set[DeviceId]) -> dict[str, Any] | str:
    """Filter for one node: claim name -> the allocation to write (empty for already allocated claims), or the
    rejection reason. Raises CelError when a selector is outside the subset or fails at run time."""
    name = node["metadata"]["name"]
    devices = _node_devices(store, name)
    held = set(taken)
    allocations: dict[str, Any] = {}
    for claim in claims:
        allocation = (claim.get("status") or {}).get("allocation")
        if allocation:
            if name not in _selected_nodes(allocation):
                return NOT_ON_NODE
            allocations[claim["metadata"]["name"]] = None
            continue
        results = _allocate_claim(store, claim, devices, held)
        if results is None:
            return CANNOT_ALLOCATE
        held.update(_device_id(r) for r in results)
        allocations[claim["metadata"]["name"]] = {
            "devices": {"results": results},
            "nodeSelector": {"nodeSelectorTerms": [
                {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [name]}]}]},
        }
    return allocations


def _allocate_claim(store: Store, claim: Obj, devices: list[tuple[DeviceId, Obj, Device]],
                    held: set[DeviceId]) -> list[dict[str, str]] | None:
    """Every request satisfied (a firstAvailable request by its first subrequest that fits), or None."""
    results: list[dict[str, str]] = []
    chosen = set(held)
    for alternatives in _alternatives(claim):
        picked = next((found for name, exactly in alternatives
                       if (found := _pick(store, name, exactly, devices, chosen)) is not None), None)
        if picked is None:
            return None
        chosen.update(_device_id(r) for r in picked)
        results += picked
    return results


def _pick(store: Store, request: str, exactly: dict[str, Any], devices: list[tuple[DeviceId, Obj, Device]],
          chosen: set[DeviceId]) -> list[dict[str, str]] | None:
    device_class = store.find(DEVICECLASS, "", exactly.get("deviceClassName", "")) or {"spec": {}}
    selectors = [compile_selector(s["cel"]["expression"])
                 for s in (device_class["spec"].get("selectors") or []) + (exactly.get("selectors") or [])]
    fitting = [ident for ident, raw, device in devices
               if ident not in chosen and _tolerated(raw, exactly) and all(s(device) for s in selectors)]
    count = len(fitting) if exactly.get("allocationMode") == "All" else int(exactly.get("count", 1))
    if not fitting or len(fitting) < count:
        return None
    return [{"request": request, "driver": ident[0], "pool": ident[1], "device": ident[2]} for ident in fitting[:count]]


def _alternatives(claim: Obj) -> list[list[tuple[str, dict[str, Any]]]]:
    """Per request, what may satisfy it: its ``exactly``, or its ``firstAvailable`` subrequests in order (named
    ``<request>/<subrequest>`` in the results, as the allocator names them)."""
    requests = ((claim.get("spec") or {}).get("devices") or {}).get("requests") or []
    return [[(r["name"], r["exactly"])] if "exactly" in r else
            [(f"{r['name']}/{sub['name']}", sub) for sub in r.get("firstAvailable") or []] for r in requests]


def _requests(claim: Obj) -> list[tuple[str, dict[str, Any]]]:
    """Every (request name, its device choice): ``exactly``s and firstAvailable subrequests alike."""
    return [choice for alternatives in _alternatives(claim) for choice in alternatives]


def _node_devices(store: Store, node: str) -> list[tuple[DeviceId, Obj, Device]]:
    """The devices of the node's complete pools: the newest generation, all resourceSliceCount slices seen."""
    slices, _ = store.list(RESOURCESLICE)
    pools: dict[tuple[str, str], list[Obj]] = {}
    for item in slices:
        spec = item["spec"]
        if spec.get("nodeName") == node:
            pools.setdefault((spec["driver"], spec["pool"]["name"]), []).append(item)
    found: list[tuple[DeviceId, Obj, Device]] = []
    for (driver, pool), members in sorted(pools.items()):
        newest = max(int(m["spec"]["pool"].get("generation", 0)) for m in members)
        current = [m for m in members if int(m["spec"]["pool"].get("generation", 0)) == newest]
        if len(current) != int(current[0]["spec"]["pool"].get("resourceSliceCount", 1)):
            continue
        for member in current:
            for raw in member["spec"].get("devices") or []:
                device = Device(driver, raw.get("attributes") or {}, raw.get("capacity") or {})
                found.append(((driver, pool, raw["name"]), raw, device))
    return found


def _tolerated(device: Obj, exactly: dict[str, Any]) -> bool:
    tolerations = exactly.get("tolerations") or []
    return all(any(_tolerates(t, taint) for t in tolerations) for taint in device.get("taints") or []
               if taint.get("effect") in ("NoSchedule", "NoExecute"))


def _tolerates(toleration: dict[str, Any], taint: dict[str, Any]) -> bool:
    if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
        return False
    if toleration.get("operator") == "Exists":
        return not toleration.get("key") or toleration["key"] == taint.get("key")
    return bool(toleration.get("key") == taint.get("key") and toleration.get("value", "") == taint.get("value", ""))


def _results(claim: Obj) -> list[dict[str, str]]:
    allocation = (claim.get("status") or {}).get("allocation") or {}
    results: list[dict[str, str]] = (allocation.get("devices") or {}).get("results") or []
    return results


def _device_id(result: dict[str, str]) -> DeviceId:
    return result["driver"], result["pool"], result["device"]


def _selected_nodes(allocation: dict[str, Any]) -> set[str]:
    terms = (allocation.get("nodeSelector") or {}).get("nodeSelectorTerms") or []
    return {value for term in terms for field in term.get("matchFields") or [] for value in field.get("values") or []}

