"""What DRA-SECURE-ACCESS's pods on one node saw, as kubernetes-sigs/wg-ai-conformance TestSecureAcceleratorAccess
asks: the container using the pod's ResourceClaim, a second container of that pod without it, and a pod with no
claim at all; and the claim's allocation, read while its holder still held it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .dra_workload import ClaimAllocation
from .isolation import Look


@dataclass(frozen=True)
class DraIsolation:
    node: str
    holder: Look  # the container whose resources.claims names the pod's claim
    bystander: Look  # the claiming pod's second container, without resources.claims
    unclaimed: Look  # a pod without any claim (NVIDIA_VISIBLE_DEVICES=all from the image, as every CUDA image)
    claim: ClaimAllocation | None  # the holder's claim; None: see claim_problem
    claim_problem: str | None = None
