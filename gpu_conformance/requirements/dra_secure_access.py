"""DRA-SECURE-ACCESS: kubernetes-sigs/wg-ai-conformance TestSecureAcceleratorAccess with the project's CUDA image and
``gpu-conformance sees``: the container using its pod's ResourceClaim sees exactly the allocated device, while the
pod's other container and a pod without a claim see none (no /dev/nvidiaN, no GPU in NVML).

The allocated device is matched by UUID: the ``uuid`` attribute NVIDIA's DRA driver gives it in the node's
ResourceSlice (kubernetes-sigs/dra-driver-nvidia-gpu cmd/gpu-kubelet-plugin/deviceinfo.go) against NVML's UUID
inside the container.
"""

from __future__ import annotations

from gpu_conformance.checks import DRA_SECURE_ACCESS
from gpu_conformance.facts.dra import DraFacts
from gpu_conformance.facts.dra_isolation import DraIsolation
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.isolation import NONE_EXPECTED, held_gpus, seen, view_of
from gpu_conformance.requirements.wording import plural
from gpu_conformance.verdict import Verdict

CHECK = DRA_SECURE_ACCESS


def _allocated_uuids(facts: DraIsolation, dra: DraFacts) -> tuple[str, list[tuple[str, ...]]]:
    """(the claim's devices in words, the UUIDs each may show as: its own, and for a MIG device its parent's, which
    NVML lists inside the container); could not inspect without the claim."""
    if facts.claim is None:
        raise FactsUnavailable(f"[{CHECK.id}] could not inspect the holder's claim on node {facts.node}: "
                               f"{facts.claim_problem or 'not read'}")
    published = {(d.pool, d.name): d for devices in dra.devices_by_node.values() for d in devices}
    found = [published.get((d.pool, d.device)) for d in facts.claim.devices]
    uuids = [(d.uuid, *([d.attributes["parentUUID"]] if d.attributes.get("parentUUID") else [])) if d else ("",)
             for d in found]
    return ", ".join(str(d) for d in facts.claim.devices) or "nothing", uuids


def dra_secure_access(facts: DraIsolation, dra: DraFacts) -> Verdict:
    """Unclaimed pod and unclaimed container see nothing; the claiming container exactly its allocated device."""
    for look in (facts.unclaimed, facts.bystander):
        view = view_of(CHECK, look)
        if view.sees_any:
            return Verdict.failed(CHECK, seen(view), look.source, NONE_EXPECTED)
    holder = view_of(CHECK, facts.holder)
    devices, uuids = _allocated_uuids(facts, dra)
    held = held_gpus(holder)
    claim = facts.claim.claim if facts.claim else ""
    expected = f"exactly the device allocated to claim {claim}: {devices} ({', '.join(u[0] or '?' for u in uuids)})"
    if not uuids or len(held) != len(uuids) or not all(any(h in u for u in uuids) for h in held):
        fix = None if held else ("the claim's device reaches no container: see DRA-VECTORADD and DRA-DRIVER-READY "
                                 f"for node {facts.node} (the kubelet plugin's CDI spec)")
        return Verdict.failed(CHECK, f"{plural(len(held), 'GPU')} in the container using the claim: {seen(holder)}",
                              facts.holder.source, expected, fix)
    return Verdict.passed(CHECK, f"{held[0]} (allocated {devices}) in the claiming container only; its pod's other "
                                 f"container and a pod without a claim see none", facts.holder.source)
