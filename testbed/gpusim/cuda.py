"""What a real NVIDIA driver does with CUDA code: the test bed's own oracle.

Written from NVIDIA's CUDA Toolkit release notes (table 3, "CUDA Toolkit and Corresponding Driver
Versions", Linux x86_64 column, and table 2, "minor version compatibility"), independently of the
suite's table: the suite judges with its table, the simulated node behaves by this one, so a wrong
entry on either side makes a scenario disagree instead of agreeing by construction.
"""

from __future__ import annotations

import re

# CUDA toolkit release -> the Linux driver it was released with (release notes, table 3). The first
# release of each major.minor is what a natively supporting driver must reach.
TOOLKIT_DRIVER: dict[str, str] = {
    "8.0": "367.48", "9.0": "384.81", "9.1": "390.46", "9.2": "396.26",
    "10.0": "410.48", "10.1": "418.39", "10.2": "440.33",
    "11.0": "450.36.06", "11.1": "455.23", "11.2": "460.27.03", "11.3": "465.19.01", "11.4": "470.42.01",
    "11.5": "495.29.05", "11.6": "510.39.01", "11.7": "515.43.04", "11.8": "520.61.05",
    "12.0": "525.60.13", "12.1": "530.30.02", "12.2": "535.54.03", "12.3": "545.23.06", "12.4": "550.54.14",
    "12.5": "555.42.02", "12.6": "560.28.03", "12.8": "570.26", "12.9": "575.51.03",
    "13.0": "580.65.06",
}

# Minor version compatibility (table 2): from CUDA 11 on, code built with any 11.x (12.x, 13.x) runs,
# with a limited feature set, on a driver at least this new. CUDA 10 and older have none.
MINOR_COMPATIBLE_FROM: dict[int, str] = {11: "450.80.02", 12: "525.60.13", 13: "580.65.06"}

# The CUDA version each driver branch reports (nvidia-smi's "CUDA Version", NVML's
# nvmlSystemGetCudaDriverVersion): the branch's first release's CUDA.
BRANCH_REPORTS: dict[int, str] = {
    367: "8.0", 384: "9.0", 390: "9.1", 396: "9.2", 410: "10.0", 418: "10.1", 440: "10.2", 450: "11.0",
    455: "11.1", 460: "11.2", 465: "11.3", 470: "11.4", 495: "11.5", 510: "11.6", 515: "11.7", 520: "11.8",
    525: "12.0", 530: "12.1", 535: "12.2", 545: "12.3", 550: "12.4", 555: "12.5", 560: "12.6", 565: "12.7",
    570: "12.8", 575: "12.9", 580: "13.0",
}

_TAG_CUDA = re.compile(r"cuda(\d+)\.(\d+)")


def version_tuple(text: str) -> tuple[int, ...]:
    """``"535.104.05"`` -> (535, 104, 5)."""
    return tuple(int(part) for part in text.strip().split("."))


def _cuda(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def reported_cuda(driver: str) -> tuple[int, int]:
    """The CUDA version the driver reports, (0, 0) for one older than every listed branch."""
    branch = version_tuple(driver)[0]
    known = [b for b in BRANCH_REPORTS if b <= branch]
    return _cuda(BRANCH_REPORTS[max(known)]) if known else (0, 0)


def driver_cuda_version(driver: str) -> int:
    """NVML's integer form of :func:`reported_cuda`: 12020 for 12.2."""
    major, minor = reported_cuda(driver)
    return major * 1000 + minor * 10


def image_cuda(image: str) -> tuple[int, int] | None:
    """The CUDA version a cuda-sample image was built with, from its tag (``vectoradd-cuda12.5.0``)."""
    match = _TAG_CUDA.search(image.rsplit(":", 1)[-1])
    return (int(match.group(1)), int(match.group(2))) if match else None


def runs_on(cuda: tuple[int, int], driver: str) -> bool:
    """Whether code built with CUDA ``cuda`` starts on ``driver``, natively or by minor version compatibility."""
    installed = version_tuple(driver)
    native = [version_tuple(d) for c, d in TOOLKIT_DRIVER.items() if _cuda(c) <= cuda]
    if native and installed >= max(native) and reported_cuda(driver) >= cuda:
        return True
    compatible = MINOR_COMPATIBLE_FROM.get(cuda[0])
    return compatible is not None and reported_cuda(driver)[0] == cuda[0] and installed >= version_tuple(compatible)
