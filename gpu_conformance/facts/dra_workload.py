"""What became of the vectoradd pod that claimed its GPU through Dynamic Resource Allocation: the pod's outcome as
for WORKLOAD-VECTORADD, and the ResourceClaim made for it from the suite's template, with the devices the scheduler
allocated (``status.allocation.devices.results[]``: request, driver, pool, device; the same in v1 and the betas).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .cluster import WorkloadOutcome


@dataclass(frozen=True)
class AllocatedDevice:
    driver: str
    pool: str
    device: str

    def __str__(self) -> str:
        return f"{self.driver}/{self.pool}/{self.device}"


@dataclass(frozen=True)
class ClaimAllocation:
    """A ResourceClaim as read while its pod ran: its devices () when it was not allocated."""

    claim: str  # namespace/name
    devices: tuple[AllocatedDevice, ...]
    source: str  # e.g. "GET /apis/resource.k8s.io/v1/namespaces/NS/resourceclaims/NAME"


@dataclass(frozen=True)
class DraWorkload:
    """The node's DRA vectoradd pod; ``claim`` None with ``claim_problem`` saying why it could not be read (None too
    when no pod got as far as a claim: its outcome then says why)."""

    workload: WorkloadOutcome
    claim: ClaimAllocation | None = None
    claim_problem: str | None = None


def read_allocation(raw: Mapping[str, Any], source: str) -> ClaimAllocation:
    """A ResourceClaim's JSON (any served version) -> its allocated devices."""
    metadata = raw.get("metadata") or {}
    allocation = (raw.get("status") or {}).get("allocation") or {}
    results = (allocation.get("devices") or {}).get("results") or ()
    devices = tuple(AllocatedDevice(str(r.get("driver") or ""), str(r.get("pool") or ""), str(r.get("device") or ""))
                    for r in results)
    return ClaimAllocation(f"{metadata.get('namespace', '')}/{metadata.get('name', '')}", devices, source)
