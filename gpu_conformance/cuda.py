"""What CUDA needs from the driver, as the suite judges it.

The test bed keeps its own table (gpusim/cuda.py) as an independent witness; tests/test_cuda_table.py
holds this one against it.
"""

from __future__ import annotations

import re

# Minimum Linux driver for each CUDA major.minor (NVIDIA's CUDA Toolkit release notes, table 3:
# "minimum required driver version" with minor version compatibility from 11.0 on).
_MINIMUM_DRIVER: tuple[tuple[tuple[int, int], tuple[int, ...]], ...] = (
    ((9, 0), (384, 81)),
    ((9, 1), (390, 46)),
    ((9, 2), (396, 26)),
    ((10, 0), (410, 48)),
    ((10, 1), (418, 39)),
    ((10, 2), (440, 33)),
    ((11, 0), (450, 36, 6)),
    ((11, 1), (450, 80, 2)),
    ((12, 0), (525, 60, 13)),
    ((13, 0), (580, 65, 6)),
)

_IMAGE_CUDA = re.compile(r"cuda(\d+)\.(\d+)")


def version_tuple(text: str) -> tuple[int, ...]:
    """``"535.104.05"`` -> (535, 104, 5): driver versions compare as tuples of ints."""
    return tuple(int(part) for part in text.strip().split("."))


def minimum_driver(cuda: tuple[int, int]) -> tuple[int, ...]:
    """The oldest driver that runs code built for this CUDA version."""
    best = _MINIMUM_DRIVER[0][1]
    for version, driver in _MINIMUM_DRIVER:
        if version <= cuda:
            best = driver
    return best


def image_cuda_version(image: str) -> tuple[int, int] | None:
    """CUDA version of a cuda-sample image from its tag, e.g. ``vectoradd-cuda12.5.0`` -> (12, 5)."""
    match = _IMAGE_CUDA.search(image.rsplit(":", 1)[-1])
    return (int(match.group(1)), int(match.group(2))) if match else None


def driver_cuda_version(driver: str) -> int:
    """The CUDA driver API version NVML reports for a driver (e.g. 12020 for 535.x), 0 if too old."""
    major = version_tuple(driver)[0]
    best = (0, 0)
    for branch, cuda in _BRANCH_CUDA:
        if major >= branch:
            best = cuda
    return best[0] * 1000 + best[1] * 10


def newest_cuda(driver: str) -> tuple[int, int] | None:
    """The newest CUDA whose code this driver runs: its branch's CUDA version (NVML's), when the driver meets that
    version's minimum; else the newest the minimum-driver table admits; None when it runs none."""
    found = version_tuple(driver)
    supported = driver_cuda_version(driver)
    branch = (supported // 1000, supported % 1000 // 10)
    if supported and minimum_driver(branch) <= found:
        return branch
    admitted = [cuda for cuda, minimum in _MINIMUM_DRIVER if minimum <= found]
    return max(admitted) if admitted else None


# Newest CUDA version each driver branch supports (R535 -> 12.2, R550 -> 12.4, ...), as NVML reports.
_BRANCH_CUDA: tuple[tuple[int, tuple[int, int]], ...] = (
    (384, (9, 0)), (390, (9, 1)), (396, (9, 2)), (410, (10, 0)), (418, (10, 1)), (440, (10, 2)),
    (450, (11, 0)), (455, (11, 1)), (460, (11, 2)), (465, (11, 3)), (470, (11, 4)), (495, (11, 5)),
    (510, (11, 6)), (515, (11, 7)), (520, (11, 8)), (525, (12, 0)), (530, (12, 1)), (535, (12, 2)),
    (545, (12, 3)), (550, (12, 4)), (555, (12, 5)), (560, (12, 6)), (565, (12, 7)), (570, (12, 8)),
    (575, (12, 9)), (580, (13, 0)),
)
