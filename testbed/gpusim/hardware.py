"""What a node's GPUs really do beyond NVML's identity: faulty memory, the PCIe link they trained at, and the
transfer rates that follow (the test bed's own table, written from NVIDIA's product pages and the PCIe
specification; the suite's expectations are not consulted).

A link moves ``transfers/s x lanes x encoding / 8`` bytes per second in each direction (PCIe 1.x-2.x encode
8b/10b, 3.0 and later 128b/130b); cudaMemcpy from pinned memory reaches about 80% of that in bandwidthTest, and
NCCL's all_reduce between GPUs that share no NVLink (staged through the host, as GeForce cards are) about 70%.
"""

from __future__ import annotations

from dataclasses import dataclass

# PCIe generation -> (GT/s per lane, encoding efficiency)
_PCIE_RATES: dict[int, tuple[float, float]] = {
    1: (2.5, 8 / 10), 2: (5.0, 8 / 10), 3: (8.0, 128 / 130), 4: (16.0, 128 / 130), 5: (32.0, 128 / 130),
}
PCIE_GENERATIONS = tuple(_PCIE_RATES)
PCIE_WIDTHS = (1, 2, 4, 8, 16)
_COPY_EFFICIENCY = 0.8  # pinned cudaMemcpy over PCIe, of the link's rate
_HOST_STAGED_ALLREDUCE = 0.7  # NCCL bus bandwidth through the host, of the link's rate
_NVLINK_ALLREDUCE = 0.8  # NCCL bus bandwidth over NVLink, of the per-direction NVLink rate


@dataclass(frozen=True)
class PcieLink:
    generation: int
    width: int

    @property
    def gb_per_s(self) -> float:
        """Bytes per second in one direction, in GB/s (10^9)."""
        rate, encoding = _PCIE_RATES[self.generation]
        return rate * self.width * encoding / 8


@dataclass(frozen=True)
class Board:
    """A GPU model's host link and, for SXM boards, its NVLink bandwidth per direction (GB/s)."""

    pcie: PcieLink
    nvlink_gb_per_s: float = 0.0


# Product name substring -> board; first match wins. PCIe generations from NVIDIA's product pages; NVLink per
# direction is half the bidirectional figure of the data sheets (A100 SXM4 600 GB/s, H100/H200 SXM 900 GB/s).
_BOARDS: tuple[tuple[str, Board], ...] = (
    ("H200", Board(PcieLink(5, 16), 450.0)),
    ("H100 80GB HBM3", Board(PcieLink(5, 16), 450.0)),
    ("H100 PCIe", Board(PcieLink(5, 16))),
    ("A100-SXM4", Board(PcieLink(4, 16), 300.0)),
    ("A100", Board(PcieLink(4, 16))),
    ("V100-SXM2", Board(PcieLink(3, 16), 150.0)),
    ("RTX 40", Board(PcieLink(4, 16))),
    ("RTX 30", Board(PcieLink(4, 16))),
    ("L40", Board(PcieLink(4, 16))),
    ("L4", Board(PcieLink(4, 16))),
    ("A10", Board(PcieLink(4, 16))),
    ("A30", Board(PcieLink(4, 16))),
    ("T4", Board(PcieLink(3, 16))),
)
_UNKNOWN = Board(PcieLink(3, 16))


def board(name: str) -> Board:
    return next((b for needle, b in _BOARDS if needle in name), _UNKNOWN)


@dataclass(frozen=True)
class GpuHardware:
    """A node's hardware faults: GPUs whose memory has uncorrectable errors that row remapping could not
    repair, and the PCIe link every GPU of the node trained at (None: the board's full link)."""

    memory_faults: tuple[int, ...] = ()
    pcie_link: PcieLink | None = None

    def link(self, name: str) -> PcieLink:
        return self.pcie_link or board(name).pcie

    def copy_gb_per_s(self, name: str) -> float:
        """What bandwidthTest measures for one GPU, host to device or back, pinned memory."""
        return self.link(name).gb_per_s * _COPY_EFFICIENCY

    def allreduce_bus_gb_per_s(self, name: str) -> float:
        """NCCL all_reduce's bus bandwidth between the node's GPUs: over NVLink where the board has it."""
        nvlink = board(name).nvlink_gb_per_s
        if nvlink:
            return nvlink * _NVLINK_ALLREDUCE
        return self.link(name).gb_per_s * _HOST_STAGED_ALLREDUCE
