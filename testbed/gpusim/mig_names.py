"""The canonical names NVIDIA's DRA kubelet plugin gives MIG devices (kubernetes-sigs/dra-driver-nvidia-gpu
v25.12.0 cmd/gpu-kubelet-plugin/mig.go ``ToCanonicalName``: ``gpu-<minor>-mig-<profile without dots>-<profile
id>-<placement start>``), for its log and its ResourceSlice."""

from __future__ import annotations

import re

from .model import Gpu, MigDevice

# MIG profile id by compute slices (NVML's GPU instance profiles 1g 19, 2g 14, 3g 9, 4g 5, 7g 0).
_PROFILE_IDS = {1: 19, 2: 14, 3: 9, 4: 5, 7: 0}
_MEMORY_SLOTS = {1: 1, 2: 2, 3: 4, 4: 4, 7: 8}
_PROFILE = re.compile(r"(\d+)g\.(\d+)gb")


def mig_names(gpu: Gpu) -> list[str]:
    """The canonical names of the GPU's MIG devices, in the scenario's order."""
    return [f"gpu-{gpu.index}-mig-{mig.profile.replace('.', '')}-{_PROFILE_IDS.get(profile(mig)[0], 0)}-{start}"
            for mig, start in zip(gpu.mig_devices, _placements(gpu.mig_devices), strict=True)]


def _placements(migs: tuple[MigDevice, ...]) -> list[int]:
    """Placement starts: the largest instances first, each at the highest free start aligned to its width in
    the GPU's 8 memory slices (an approximation of where nvidia-smi mig -cgi puts them)."""
    used = [False] * 8
    starts = [0] * len(migs)
    for i in sorted(range(len(migs)), key=lambda i: -profile(migs[i])[0]):
        width = _MEMORY_SLOTS.get(profile(migs[i])[0], 1)
        for start in range(8 - width, -1, -width):
            if not any(used[start:start + width]):
                used[start:start + width] = [True] * width
                starts[i] = start
                break
    return starts


def profile(mig: MigDevice) -> tuple[int, int]:
    """(compute slices, memory GB) of a profile such as ``3g.20gb``."""
    match = _PROFILE.match(mig.profile)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 0)
