"""Static facts about GPU boards that bound the simulated live values (power, clocks, cooling).

The model only knows a GPU's marketing name (``Gpu.name``); the board limits here come from the
vendors' published specifications. An unknown name gets a generic mid-range board.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Board:
    power_limit_w: float  # default (= enforced) board power limit
    power_min_w: float
    power_max_w: float
    idle_power_w: float
    max_graphics_mhz: int
    max_memory_mhz: int
    idle_graphics_mhz: int
    idle_memory_mhz: int
    pci_device_id: int  # PCI device id; nvidia-smi prints it with the vendor id 10DE appended
    vbios: str
    datacenter: bool  # ECC, application clocks, inforom ECC object, persistence by default
    passive: bool  # no fan of its own: nvidia-smi prints fan.speed as [N/A]
    hbm: bool  # HBM reports a memory temperature; GDDR prints N/A
    mig_capable: bool


def _board(power: float, power_min: float, power_max: float, idle: float, gfx: int, mem: int,
           idle_gfx: int, idle_mem: int, device: int, vbios: str, *, datacenter: bool, passive: bool,
           hbm: bool = False, mig: bool = False) -> Board:
    return Board(power, power_min, power_max, idle, gfx, mem, idle_gfx, idle_mem, device, vbios,
                 datacenter, passive, hbm, mig)


# Ordered: the first key contained in the GPU name wins, so longer names come before their prefixes.
_BOARDS: tuple[tuple[str, Board], ...] = (
    ("H200", _board(700, 200, 700, 75, 1980, 2619, 345, 2619, 0x2335, "96.00.A5.00.01",
                    datacenter=True, passive=True, hbm=True, mig=True)),
    ("H100 PCIe", _board(350, 200, 350, 48, 1755, 1593, 345, 1593, 0x2331, "96.00.30.00.01",
                         datacenter=True, passive=True, hbm=True, mig=True)),
    ("H100", _board(700, 200, 700, 72, 1980, 2619, 345, 2619, 0x2330, "96.00.74.00.01",
                    datacenter=True, passive=True, hbm=True, mig=True)),
    ("A100-SXM4-80GB", _board(400, 100, 400, 62, 1410, 1593, 210, 1593, 0x20B2, "92.00.45.00.03",
                              datacenter=True, passive=True, hbm=True, mig=True)),
    ("A100", _board(250, 150, 250, 36, 1410, 1215, 210, 1215, 0x20F1, "92.00.25.00.08",
                    datacenter=True, passive=True, hbm=True, mig=True)),
    ("L40S", _board(350, 100, 350, 35, 2520, 9001, 210, 405, 0x26B9, "95.02.66.00.02",
                    datacenter=True, passive=True)),
    ("L4", _board(72, 40, 72, 16, 2040, 6251, 210, 405, 0x27B8, "95.04.29.00.06",
                  datacenter=True, passive=True)),
    ("A10", _board(150, 100, 150, 21, 1695, 6251, 210, 405, 0x2236, "94.02.5C.00.02",
                   datacenter=True, passive=True)),
    ("V100", _board(300, 150, 300, 40, 1530, 877, 135, 877, 0x1DB1, "88.00.4F.00.09",
                    datacenter=True, passive=True, hbm=True)),
    ("T4", _board(70, 60, 70, 10, 1590, 5001, 300, 405, 0x1EB8, "90.04.96.00.02",
                  datacenter=True, passive=True)),
    ("RTX 4090", _board(450, 150, 600, 22, 3120, 10501, 210, 405, 0x2684, "95.02.18.80.87",
                        datacenter=False, passive=False)),
    ("RTX 4080", _board(320, 150, 320, 14, 3105, 11201, 210, 405, 0x2704, "95.03.0C.80.A3",
                        datacenter=False, passive=False)),
    ("RTX 3090", _board(350, 100, 350, 25, 2100, 9751, 210, 405, 0x2204, "94.02.42.40.3A",
                        datacenter=False, passive=False)),
)

_GENERIC = _board(250, 100, 300, 20, 1900, 7000, 210, 405, 0x1E04, "90.02.0B.00.0E",
                  datacenter=False, passive=False)


def board_for(gpu_name: str) -> Board:
    for key, board in _BOARDS:
        if key in gpu_name:
            return board
    return _GENERIC
