"""DRA-VECTORADD on built facts: Test PASSED with the claim allocated in the node's pool; the claim elsewhere or not
allocated; the scheduler's 'cannot allocate all claims'; FailedPrepareDynamicResources; busy GPUs; an unread claim."""

from __future__ import annotations

import pytest

from gpu_conformance.facts.cluster import WorkloadOutcome, WorkloadResult
from gpu_conformance.facts.dra_workload import AllocatedDevice, ClaimAllocation, DraWorkload, read_allocation
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.dra_workload import dra_vectoradd_passes
from gpu_conformance.settings import TUTORIAL_VECTORADD

from .builders import NODE, RTX_4090, gpu_node, outcome, probe
from .dra_builders import dra_facts, node_slice

POD = f"gpu-conformance/vectoradd-dra-{NODE}-4kq9z-x2b7c"
CLAIM = f"gpu-conformance/vectoradd-dra-{NODE}-4kq9z-x2b7c-gpu-m8d2q"
CLAIM_SOURCE = f"GET /apis/resource.k8s.io/v1/namespaces/gpu-conformance/resourceclaims/{CLAIM.split('/')[1]}"
UNALLOCATABLE = ("0/3 nodes are available: 1 cannot allocate all claims, 2 node(s) didn't match Pod's node "
                 "affinity/selector. still not schedulable, preemption: 0/3 nodes are available: 3 Preemption is "
                 "not helpful for scheduling.")


def _facts(result: WorkloadResult = "passed", detail: str = "Test PASSED", events: tuple[str, ...] = (),
           devices: tuple[AllocatedDevice, ...] | None = (AllocatedDevice("gpu.nvidia.com", NODE, "gpu-1"),),
           problem: str | None = None) -> DraWorkload:
    workload = WorkloadOutcome(NODE, result, detail, TUTORIAL_VECTORADD, POD, "Test PASSED\n", events)
    claim = None if devices is None else ClaimAllocation(CLAIM, devices, CLAIM_SOURCE)
    return DraWorkload(workload, claim, problem)


def _judge(facts: DraWorkload) -> tuple[bool | None, str]:
    verdict = dra_vectoradd_passes(facts, dra_facts(node_slice()), outcome(probe()), gpu_node())
    return verdict.ok, verdict.message


def test_passes_with_the_claim_in_the_nodes_pool() -> None:
    assert _judge(_facts()) == (True, f"found Test PASSED in pod {POD}, claim {CLAIM} allocated "
                                      f"gpu.nvidia.com/{NODE}/gpu-1 ({RTX_4090[1].uuid}) at the log of pod {POD} on "
                                      f"node {NODE}; {CLAIM_SOURCE}")


def test_a_device_of_another_nodes_pool_fails() -> None:
    ok, message = _judge(_facts(devices=(AllocatedDevice("gpu.nvidia.com", "k8s-node06", "gpu-0"),)))
    assert ok is False and message.startswith(
        f"[DRA-VECTORADD] found claim {CLAIM} of pod {POD} allocated gpu.nvidia.com/k8s-node06/gpu-0 at "
        f"{CLAIM_SOURCE}, expected devices of driver gpu.nvidia.com in node {NODE}'s pool ({NODE}); fix: ")


def test_an_unallocated_claim_fails() -> None:
    assert _judge(_facts(devices=()))[1].startswith(f"[DRA-VECTORADD] found claim {CLAIM} of pod {POD} not allocated")


def test_a_claim_that_could_not_be_read_is_could_not_inspect() -> None:
    gone = f"{CLAIM_SOURCE}: NotFound (deleted once its pod was done, before it could be read)"
    with pytest.raises(FactsUnavailable, match=r"its claim could not be read: .*deleted once its pod was done"):
        _judge(_facts(devices=None, problem=gone))


def test_the_schedulers_words_and_the_dra_hint() -> None:
    ok, message = _judge(_facts("unschedulable", UNALLOCATABLE, devices=None))
    assert ok is False
    assert message.startswith(f'[DRA-VECTORADD] found pod {POD} unschedulable: "cannot allocate all claims"')
    assert (f"expected the pod scheduled on node {NODE} with a ResourceClaim of 1 device of DeviceClass "
            "gpu.nvidia.com (mig.nvidia.com on a node publishing MIG devices only); fix: no free device of DeviceClass "
            "gpu.nvidia.com on node k8s-node05 fits the claim: the class's selectors may exclude the node's GPUs "
            "(`kubectl get deviceclass gpu.nvidia.com -o yaml`); see DRA-SLICES-MATCH-GPUS and DRA-DEVICES-HEALTHY") \
        in message


def test_a_missing_device_class_points_at_dra_deviceclass() -> None:
    said = "0/3 nodes are available: 1 request gpu: device class gpu.nvidia.com does not exist, 2 node(s) didn't match"
    message = _judge(_facts("unschedulable", said + " Pod's node affinity/selector.", devices=None))[1]
    assert message.endswith("fix: the DeviceClass the claim names is missing: see DRA-DEVICECLASS")


def test_no_claim_made_names_the_claim_controller() -> None:
    ok, message = _judge(_facts("unschedulable", f'pod "{POD}": ResourceClaim not created yet', devices=None))
    assert ok is False
    assert message.endswith("fix: no ResourceClaim was made from the pod's template: the ResourceClaim controller of "
                            "kube-controller-manager makes it; is DynamicResourceAllocation on there?")


def test_failed_prepare_names_the_kubelet_plugin() -> None:
    event = ("FailedPrepareDynamicResources: Failed to prepare dynamic resources: prepare dynamic resources: "
             "DRA driver gpu.nvidia.com is not registered")
    ok, message = _judge(_facts("timeout", "still Pending after 300s", (event,), devices=None))
    assert (ok, message) == (False, f'[DRA-VECTORADD] found pod {POD} not started: "{event}" at pod {POD} on node '
                                    f"{NODE}, expected the claim prepared by the DRA kubelet plugin on node {NODE}; "
                                    f"fix: the DRA kubelet plugin on node {NODE} could not prepare the GPU: see "
                                    "DRA-DRIVER-READY; `kubectl logs` of its gpus container says why")


def test_busy_gpus_skip() -> None:
    detail = f"all 2 GPUs of {NODE} in ResourceSlices are allocated to other claims (ml/train-gpu-x); vectoradd not run"
    verdict = dra_vectoradd_passes(_facts("gpus_busy", detail, devices=None), dra_facts(), outcome(probe()),
                                   gpu_node())
    assert (verdict.skip, verdict.check.id) == (True, "DRA-VECTORADD")
    assert detail in verdict.message


def test_read_allocation_of_the_apis_json() -> None:
    raw = {"metadata": {"name": "c", "namespace": "ns"},
           "status": {"allocation": {"devices": {"results": [
               {"request": "gpu", "driver": "gpu.nvidia.com", "pool": NODE, "device": "gpu-0"}]}}}}
    assert read_allocation(raw, "here") == ClaimAllocation(
        "ns/c", (AllocatedDevice("gpu.nvidia.com", NODE, "gpu-0"),), "here")
    assert read_allocation({"metadata": {"name": "c", "namespace": "ns"}}, "here").devices == ()
