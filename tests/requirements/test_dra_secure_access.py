"""DRA-SECURE-ACCESS on built facts: the claiming container sees exactly its allocated device (by the slice's uuid),
the claiming pod's other container and an unclaimed pod see none; an unread claim is "could not inspect"."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpu_conformance.facts.container_view import ContainerView
from gpu_conformance.facts.dra_isolation import DraIsolation
from gpu_conformance.facts.dra_workload import AllocatedDevice, ClaimAllocation
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.dra_secure_access import dra_secure_access

from .builders import NODE, RTX_4090
from .dra_builders import dra_facts, resource_slice
from .isolation_builders import EVERY_GPU, GPU0, GPU1, NOTHING, holding, look

CLAIM = "gpu-conformance/sec-dra-claim-k8s-node05-abc123-gpu-x7k2p"
SOURCE = f"GET /apis/resource.k8s.io/v1/namespaces/gpu-conformance/resourceclaims/{CLAIM.split('/')[1]}"
ALLOCATED = ClaimAllocation(CLAIM, (AllocatedDevice("gpu.nvidia.com", NODE, "gpu-1"),), SOURCE)


def _facts(holder: ContainerView | None = None, bystander: ContainerView | None = None,
           unclaimed: ContainerView | None = None, claim: ClaimAllocation | None = ALLOCATED,
           problem: str | None = None) -> DraIsolation:
    return DraIsolation(NODE, look(holder or holding(GPU1, 1), "holder"),
                        look(bystander or replace(NOTHING, visible_devices=None), "bystander"),
                        look(unclaimed or NOTHING), claim, problem)


def test_only_the_claiming_container_sees_its_allocated_gpu() -> None:
    verdict = dra_secure_access(_facts(), dra_facts())
    assert verdict.ok and not verdict.skip
    assert verdict.message.startswith(f"found {RTX_4090[1].uuid} (allocated gpu.nvidia.com/{NODE}/gpu-1) in the "
                                      "claiming container only")


def test_a_gpu_other_than_the_allocated_one_fails() -> None:
    verdict = dra_secure_access(_facts(holder=holding(GPU0, 0)), dra_facts())
    assert not verdict.ok
    assert verdict.message.startswith(f"[DRA-SECURE-ACCESS] found 1 GPU in the container using the claim: "
                                      f"/dev/nvidia0; 1 GPU in NVML ({GPU0.uuid})")
    assert f"expected exactly the device allocated to claim {CLAIM}: gpu.nvidia.com/{NODE}/gpu-1 ({GPU1.uuid})" \
        in verdict.message


def test_every_gpu_in_the_claiming_container_fails() -> None:
    assert not dra_secure_access(_facts(holder=EVERY_GPU), dra_facts()).ok


@pytest.mark.parametrize("where", ["bystander", "unclaimed"])
def test_a_container_without_a_claim_that_sees_a_gpu_fails(where: str) -> None:
    verdict = dra_secure_access(_facts(**{where: EVERY_GPU}), dra_facts())
    assert not verdict.ok
    assert verdict.message.startswith("[DRA-SECURE-ACCESS] found /dev/nvidia0, /dev/nvidia1; 2 GPUs in NVML")
    assert "expected no /dev/nvidiaN device file and no GPU in NVML" in verdict.message


def test_an_unread_claim_is_could_not_inspect() -> None:
    with pytest.raises(FactsUnavailable, match="could not inspect the holder's claim on node k8s-node05: gone"):
        dra_secure_access(_facts(claim=None, problem="gone"), dra_facts())


def test_a_container_that_could_not_run_is_could_not_inspect() -> None:
    facts = replace(_facts(), holder=look(None, "holder", "all 2 GPUs of k8s-node05 are allocated to other claims"))
    with pytest.raises(FactsUnavailable, match="allocated to other claims"):
        dra_secure_access(facts, dra_facts())


def test_a_mig_device_may_show_as_its_parent_gpu_in_nvml() -> None:
    mig = {"name": "gpu-1-mig-1g10gb-0", "attributes": {"type": {"string": "mig"}, "uuid": {"string": "MIG-0000"},
                                                       "parentUUID": {"string": GPU1.uuid}}}
    claim = ClaimAllocation(CLAIM, (AllocatedDevice("gpu.nvidia.com", NODE, "gpu-1-mig-1g10gb-0"),), SOURCE)
    assert dra_secure_access(_facts(claim=claim), dra_facts(resource_slice([mig]))).ok
    assert not dra_secure_access(_facts(claim=claim, holder=holding(GPU0, 0)), dra_facts(resource_slice([mig]))).ok
