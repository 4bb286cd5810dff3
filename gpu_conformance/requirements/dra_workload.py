"""DRA-VECTORADD: the tutorial's vectoradd pod, its GPU claimed through a ResourceClaimTemplate of DeviceClass
gpu.nvidia.com, prints ``Test PASSED``, and its claim was allocated a device of the node's own pool.

The pod's failures read as WORKLOAD-VECTORADD's (``gpu_conformance.requirements.workload``), with DRA's causes:
the scheduler's ``cannot allocate all claims`` (kubernetes pkg/scheduler/framework/plugins/dynamicresources) and
the kubelet's FailedPrepareDynamicResources event when the node's DRA kubelet plugin cannot prepare the claim
(pkg/kubelet/cm/dra).
"""

from __future__ import annotations

from gpu_conformance.checks import DRA_VECTORADD
from gpu_conformance.facts.cluster import ProbeOutcome
from gpu_conformance.facts.dra import DRA_DRIVER, GPU_CLASS, MIG_CLASS, DraFacts
from gpu_conformance.facts.dra_workload import AllocatedDevice, ClaimAllocation, DraWorkload
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.wording import quoted
from gpu_conformance.requirements.workload import Hints, vectoradd_verdict
from gpu_conformance.verdict import Verdict

ASKED = f"a ResourceClaim of 1 device of DeviceClass {GPU_CLASS} ({MIG_CLASS} on a node publishing MIG devices only)"
PREPARE_FAILED = "FailedPrepareDynamicResources"
DRA_HINTS: Hints = (
    ("cannot allocate all claims", f"no free device of DeviceClass {GPU_CLASS} on node NODE fits the claim: the "
                                   f"class's selectors may exclude the node's GPUs (`kubectl get deviceclass "
                                   f"{GPU_CLASS} -o yaml`); see DRA-SLICES-MATCH-GPUS and DRA-DEVICES-HEALTHY (a "
                                   "tainted GPU is never allocated)"),
    # "request gpu: device class gpu.nvidia.com does not exist" (dynamicresources' allocator)
    ("does not exist", "the DeviceClass the claim names is missing: see DRA-DEVICECLASS"),
    ("untolerated taint", "tolerate the node's taint with --tolerate-taint key[=value]:Effect"),
    ("were unschedulable", "the node is cordoned: `kubectl uncordon NODE`"),
    # ErrClaimNotFound (k8s.io/dynamic-resource-allocation/resourceclaim): no claim was made from the template
    ("ResourceClaim not created yet", "no ResourceClaim was made from the pod's template: the ResourceClaim controller "
                                      "of kube-controller-manager makes it; is DynamicResourceAllocation on there?"),
)


def _pod(facts: DraWorkload, node: GpuNode) -> str:
    return facts.workload.pod or f"of the DRA vectoradd Job for {node.name}"


def _prepare_failed(facts: DraWorkload, node: GpuNode) -> Verdict | None:
    """The kubelet could not prepare the claim: its event is the cause, whatever else the pod shows."""
    event = next((e for e in facts.workload.events if e.startswith(PREPARE_FAILED)), None)
    if event is None or facts.workload.result == "passed":
        return None
    return Verdict.failed(DRA_VECTORADD, f"pod {_pod(facts, node)} not started: {quoted(event)}",
                          f"pod {_pod(facts, node)} on node {node.name}",
                          f"the claim prepared by the DRA kubelet plugin on node {node.name}",
                          f"the DRA kubelet plugin on node {node.name} could not prepare the GPU: see "
                          "DRA-DRIVER-READY; `kubectl logs` of its gpus container says why")


def _device_text(device: AllocatedDevice, dra: DraFacts, node: str) -> str:
    published = next((d for d in dra.devices_on(node) if d.pool == device.pool and d.name == device.device), None)
    return f"{device}" + (f" ({published.uuid})" if published and published.uuid else "")


def _allocation(claim: ClaimAllocation, dra: DraFacts, node: GpuNode, pod: str) -> Verdict:
    own = {p.name for p in dra.pools_on(node.name)}
    if not claim.devices:
        return Verdict.failed(DRA_VECTORADD, f"claim {claim.claim} of pod {pod} not allocated", claim.source,
                              f"a device of node {node.name}'s pool allocated")
    shown = ", ".join(_device_text(d, dra, node.name) for d in claim.devices)
    foreign = [d for d in claim.devices if d.driver != DRA_DRIVER or d.pool not in own]
    if foreign:
        return Verdict.failed(DRA_VECTORADD, f"claim {claim.claim} of pod {pod} allocated {shown}", claim.source,
                              f"devices of driver {DRA_DRIVER} in node {node.name}'s pool "
                              f"({', '.join(sorted(own)) or 'none published'})")
    return Verdict.passed(DRA_VECTORADD, f"Test PASSED in pod {pod}, claim {claim.claim} allocated {shown}",
                          f"the log of pod {pod} on node {node.name}; {claim.source}")


def dra_vectoradd_passes(facts: DraWorkload, dra: DraFacts, outcome: ProbeOutcome, node: GpuNode) -> Verdict:
    """Passed when the pod printed Test PASSED and its claim holds a device of the node's pool; else why not."""
    prepare = _prepare_failed(facts, node)
    if prepare is not None:
        return prepare
    verdict = vectoradd_verdict(facts.workload, outcome, node, DRA_VECTORADD, ASKED, DRA_HINTS)
    if facts.workload.result != "passed":
        return verdict
    pod = _pod(facts, node)
    if facts.claim is None:
        raise FactsUnavailable(f"[{DRA_VECTORADD.id}] Test PASSED in pod {pod}, but its claim could not be read: "
                               f"{facts.claim_problem or 'the pod never named a bound claim in the watch'}")
    return _allocation(facts.claim, dra, node, pod)
