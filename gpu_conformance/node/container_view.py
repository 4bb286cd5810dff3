"""What this container sees of the GPUs: its device files, NVML's list, and NVIDIA_VISIBLE_DEVICES.

Unlike the probe (node/nvml.py), which loads the host root's NVML on purpose, this loads ``libnvidia-ml.so.1``
by soname through the normal dynamic loader, exactly as a CUDA program in the container would: whatever the
runtime injected (or not) is what is found. NVML's failure, such as Library Not Found, is a finding (the
container reaches no GPU through NVML), never an error of the command.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import pynvml

from gpu_conformance.facts.container_view import ContainerView, SeenGpu

GPU_DEVICE = re.compile(r"nvidia(?P<minor>[0-9]+)")  # one per GPU; nvidiactl, nvidia-uvm are not GPUs
VISIBLE_DEVICES = "NVIDIA_VISIBLE_DEVICES"


def _text(value: str | bytes) -> str:
    """Old bindings return bytes, new ones str."""
    return value.decode() if isinstance(value, bytes) else value


def device_files(dev: Path) -> tuple[str, ...]:
    """The GPU device files in ``dev``, sorted by number, shown as ``dev/name``; () when it cannot be listed."""
    try:
        names = [entry.name for entry in dev.iterdir()]
    except OSError:
        return ()
    found = sorted((int(m.group("minor")), name) for name in names if (m := GPU_DEVICE.fullmatch(name)))
    return tuple(f"{dev}/{name}" for _, name in found)


def nvml_gpus() -> tuple[tuple[SeenGpu, ...], str | None]:
    """(the GPUs NVML lists, None), or ((), NVML's error) when it cannot be loaded or asked."""
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as exc:
        return (), str(exc)
    try:
        gpus = []
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            gpus.append(SeenGpu(index, _text(pynvml.nvmlDeviceGetUUID(handle)),
                                _text(pynvml.nvmlDeviceGetName(handle))))
        return tuple(gpus), None
    except pynvml.NVMLError as exc:
        return (), str(exc)
    finally:
        with contextlib.suppress(pynvml.NVMLError):
            pynvml.nvmlShutdown()


def look(dev: Path) -> ContainerView:
    """What this process sees through ``dev`` (the container's /dev), NVML and its environment."""
    gpus, error = nvml_gpus()
    return ContainerView(str(dev), device_files(dev), gpus, error, os.environ.get(VISIBLE_DEVICES))
