"""What each GPU model's data sheet promises, per direction, for the --perf probes: its host link (PCIe) and, on SXM
boards, NVLink. Data sheets state both directions together ("PCIe Gen4: 64GB/s", "NVLink: 600GB/s"); half of that is
what one direction carries, which is what bandwidthTest (one direction at a time) and nccl-tests' bus bandwidth
measure.

Sources: NVIDIA H200 product page (NVLink 900 GB/s, PCIe Gen5 128 GB/s); NVIDIA H100 Tensor Core GPU data sheet
(SXM: NVLink 900 GB/s, PCIe Gen5 128 GB/s; PCIe card: PCIe Gen5 128 GB/s, its NVLink bridge optional); NVIDIA A100
Tensor Core GPU data sheet (SXM: NVLink 600 GB/s, PCIe Gen4 64 GB/s; PCIe card: PCIe Gen4 64 GB/s); NVIDIA A30, A10,
L4 and L40S data sheets (PCIe Gen4 x16 64 GB/s); NVIDIA T4 data sheet (PCIe Gen3 x16 32 GB/s); NVIDIA V100 data sheet
(SXM2: NVLink 300 GB/s, PCIe Gen3 32 GB/s); GeForce RTX 4090/4080 and 3090 specifications (PCIe Gen 4, no NVLink on
the 40 series; the 3090's NVLink bridge is optional and not assumed). A model not listed is not judged.
"""

from __future__ import annotations

from dataclasses import dataclass

GEN3, GEN4, GEN5 = 16.0, 32.0, 64.0  # GB/s per direction of an x16 link


@dataclass(frozen=True)
class Spec:
    model: str  # the substring of the product name it applies to
    pcie_gb_per_s: float  # host link, one direction
    nvlink_gb_per_s: float | None = None  # per GPU, one direction; None: GPUs talk over PCIe

    @property
    def bus_gb_per_s(self) -> float:
        """What NCCL's bus bandwidth between the node's GPUs can reach at most."""
        return self.nvlink_gb_per_s or self.pcie_gb_per_s

    @property
    def bus_link(self) -> str:
        return "NVLink" if self.nvlink_gb_per_s else "PCIe"


# First match wins: PCIe cards before the SXM boards of the same name.
SPECS: tuple[Spec, ...] = (
    Spec("H100 PCIe", GEN5),
    Spec("H100 NVL", GEN5),
    Spec("H200", GEN5, 450.0),
    Spec("H100", GEN5, 450.0),
    Spec("A100-PCIE", GEN4),
    Spec("A100 80GB PCIe", GEN4),
    Spec("A100", GEN4, 300.0),
    Spec("A30", GEN4),
    Spec("A10", GEN4),
    Spec("L40S", GEN4),
    Spec("L4", GEN4),
    Spec("T4", GEN3),
    Spec("V100-PCIE", GEN3),
    Spec("V100", GEN3, 150.0),
    Spec("RTX 4090", GEN4),
    Spec("RTX 4080", GEN4),
    Spec("RTX 3090", GEN4),
)


def spec_for(product: str) -> Spec | None:
    return next((s for s in SPECS if s.model in product), None)
