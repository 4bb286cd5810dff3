"""Facts from NVML through the real bindings (nvidia-ml-py, imported as ``pynvml``).

pynvml loads ``CDLL("libnvidia-ml.so.1")`` by soname. Loading the host root's copy first with
RTLD_GLOBAL makes that soname resolve to it, so the bindings talk to the host's library. A process
can hold only one such library: a second host root in the same process is reported, not mixed up.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pynvml

from gpu_conformance.facts.node import GpuFabric, GpuInfo, Observed
from gpu_conformance.node.hostfs import LIBRARY_DIRS, HostRoot

LIBRARY = "libnvidia-ml.so.1"
T = TypeVar("T")

_loaded: list[Path] = []  # the library this process loaded, at most one
_lock = threading.Lock()


@dataclass(frozen=True)
class NvmlFacts:
    driver: Observed[str]
    cuda_driver_version: Observed[int]
    gpus: Observed[tuple[GpuInfo, ...]]
    fabric: Observed[tuple[GpuFabric, ...]]


def _text(value: str | bytes) -> str:
    """Old bindings return bytes, new ones str (and nvmlDeviceGetUUID still bytes in some)."""
    return value.decode() if isinstance(value, bytes) else value


def _source(call: str, library: Path | str) -> str:
    return f"NVML {call} ({library})"


def _load(host: HostRoot) -> tuple[Path | None, str | None]:
    """(library, None) once the host's library is loaded, else (None, why)."""
    library = host.find_library(LIBRARY)
    if library is None:
        looked = ", ".join(host.shown(d) for d in LIBRARY_DIRS[:3])
        return None, f"{pynvml.NVMLError(pynvml.NVML_ERROR_LIBRARY_NOT_FOUND)}: no {LIBRARY} in {looked}, ..."
    with _lock:
        if _loaded and _loaded[0] != library:
            return None, (f"this process already loaded NVML from {_loaded[0]}; "
                          "probe each host in its own process")
        if not _loaded:
            try:
                ctypes.CDLL(str(library), mode=ctypes.RTLD_GLOBAL)
            except OSError as exc:
                return None, f"{pynvml.NVMLError(pynvml.NVML_ERROR_LIBRARY_NOT_FOUND)}: {exc}"
            _loaded.append(library)
    return library, None


def _call(library: Path, name: str, fn: Callable[[], T]) -> tuple[T | None, Observed[Any] | None]:
    try:
        return fn(), None
    except pynvml.NVMLError as exc:
        return None, Observed.missing(_source(name, library), f"{name}: {exc}")


def collect(host: HostRoot) -> NvmlFacts:
    library, why = _load(host)
    if library is None:
        shown = _source("nvmlInit", LIBRARY)
        missing: Observed[Any] = Observed.missing(shown, why or "unavailable")
        return NvmlFacts(missing, missing, missing, missing)
    _, failed = _call(library, "nvmlInit", pynvml.nvmlInit)
    if failed is not None:
        return NvmlFacts(failed, failed, failed, failed)
    try:
        gpus = _gpus(library)
        return NvmlFacts(_driver(library), _cuda(library), gpus, _fabric(library, gpus))
    finally:
        _call(library, "nvmlShutdown", pynvml.nvmlShutdown)


def _driver(library: Path) -> Observed[str]:
    name = "nvmlSystemGetDriverVersion"
    value, failed = _call(library, name, pynvml.nvmlSystemGetDriverVersion)
    return failed or Observed(_text(value or ""), _source(name, library))


def _cuda(library: Path) -> Observed[int]:
    name = "nvmlSystemGetCudaDriverVersion"
    value, failed = _call(library, name, pynvml.nvmlSystemGetCudaDriverVersion)
    return failed or Observed(int(value or 0), _source(name, library))


def _gpus(library: Path) -> Observed[tuple[GpuInfo, ...]]:
    count, failed = _call(library, "nvmlDeviceGetCount", pynvml.nvmlDeviceGetCount)
    if failed is not None:
        return failed
    gpus = []
    for index in range(count or 0):
        def read(i: int = index) -> GpuInfo:
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            name, uuid = pynvml.nvmlDeviceGetName(handle), pynvml.nvmlDeviceGetUUID(handle)
            return GpuInfo(i, _text(name), _text(uuid), int(pynvml.nvmlDeviceGetMemoryInfo(handle).total))

        gpu, failed = _call(library, f"device {index}", read)
        if failed is not None:
            return failed
        assert gpu is not None
        gpus.append(gpu)
    calls = "nvmlDeviceGetCount, nvmlDeviceGetName, nvmlDeviceGetUUID, nvmlDeviceGetMemoryInfo"
    return Observed(tuple(gpus), _source(calls, library))


# nvmlGpuFabricState_t as nvidia-smi -q names it
_FABRIC_STATES = {pynvml.NVML_GPU_FABRIC_STATE_NOT_SUPPORTED: "Not Supported",
                  pynvml.NVML_GPU_FABRIC_STATE_NOT_STARTED: "Not Started",
                  pynvml.NVML_GPU_FABRIC_STATE_IN_PROGRESS: "In Progress",
                  pynvml.NVML_GPU_FABRIC_STATE_COMPLETED: "Completed"}
_FABRIC_CALLS = "nvmlDeviceGetGpuFabricInfoV or nvmlDeviceGetGpuFabricInfo"
GpuFabricReading = tuple[str, str]  # (state, status)


def _fabric_info(handle: Any) -> GpuFabricReading:
    """(state, status) of one GPU: the versioned call where the driver has it, else the first form (older drivers)."""
    try:
        info: Any = pynvml.c_nvmlGpuFabricInfoV_t()
        pynvml.nvmlDeviceGetGpuFabricInfoV(handle, ctypes.byref(info))
    except pynvml.NVMLError as exc:
        if exc.value != pynvml.NVML_ERROR_FUNCTION_NOT_FOUND:
            raise
        info = pynvml.c_nvmlGpuFabricInfo_t()
        pynvml.nvmlDeviceGetGpuFabricInfo(handle, ctypes.byref(info))
    state = _FABRIC_STATES.get(int(info.state), f"state {int(info.state)}")
    completed = info.state == pynvml.NVML_GPU_FABRIC_STATE_COMPLETED
    return state, _text(pynvml.nvmlErrorString(int(info.status))) if completed else ""


def _fabric(library: Path, gpus: Observed[tuple[GpuInfo, ...]]) -> Observed[tuple[GpuFabric, ...]]:
    """Each GPU's fabric state; a GPU whose NVML answers NOT_SUPPORTED (before Hopper) is on no fabric it knows."""
    if not gpus.ok or gpus.value is None:
        return Observed.missing(gpus.source, gpus.error or "no GPUs")
    states = []
    for gpu in gpus.value:
        def read(i: int = gpu.index) -> GpuFabricReading:
            try:
                return _fabric_info(pynvml.nvmlDeviceGetHandleByIndex(i))
            except pynvml.NVMLError as exc:
                if exc.value == pynvml.NVML_ERROR_NOT_SUPPORTED:
                    return _FABRIC_STATES[pynvml.NVML_GPU_FABRIC_STATE_NOT_SUPPORTED], ""
                raise

        reading, failed = _call(library, f"fabric of device {gpu.index}", read)
        if failed is not None:
            return failed
        assert reading is not None
        states.append(GpuFabric(gpu.uuid, *reading))
    return Observed(tuple(states), _source(_FABRIC_CALLS, library))
