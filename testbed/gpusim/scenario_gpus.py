"""A node's ``gpus:`` section: GPU models with their real memory sizes, UUIDs and MIG instances."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from typing import cast

from gpusim.model import Gpu, MigDevice, MigSetup, MigStrategy
from gpusim.scenario_yaml import Value, one_line

GPU_FIELDS = ("count", "model", "memoryMiB", "uuids", "mig")
MIG_FIELDS = ("strategy", "profiles")
MIG_STRATEGIES = ("single", "mixed")
_GPU_UUID = re.compile(r"GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_MIG_PROFILE = re.compile(r"([1-7])g\.(\d+)gb(\+me)?")
_COMPUTE_SLICES = 7


@dataclass(frozen=True)
class GpuModel:
    name: str  # as nvidia-smi and NVML print it
    memory_mib: int  # memory.total as nvidia-smi reports it
    power_limit_w: int  # the board's default power cap, as nvidia-smi's table shows it
    mig_capable: bool = False


MODELS: tuple[GpuModel, ...] = (
    GpuModel("Tesla T4", 15360, 70),
    GpuModel("Tesla V100-SXM2-16GB", 16384, 300),
    GpuModel("Tesla V100-SXM2-32GB", 32768, 300),
    GpuModel("NVIDIA A10", 23028, 150),
    GpuModel("NVIDIA A10G", 23028, 300),
    GpuModel("NVIDIA A30", 24576, 165, mig_capable=True),
    GpuModel("NVIDIA A100-PCIE-40GB", 40960, 250, mig_capable=True),
    GpuModel("NVIDIA A100-SXM4-40GB", 40960, 400, mig_capable=True),
    GpuModel("NVIDIA A100 80GB PCIe", 81920, 300, mig_capable=True),
    GpuModel("NVIDIA A100-SXM4-80GB", 81920, 400, mig_capable=True),
    GpuModel("NVIDIA H100 PCIe", 81559, 350, mig_capable=True),
    GpuModel("NVIDIA H100 80GB HBM3", 81559, 700, mig_capable=True),
    GpuModel("NVIDIA H200", 143771, 700, mig_capable=True),
    GpuModel("NVIDIA L4", 23034, 72),
    GpuModel("NVIDIA L40S", 46068, 350),
    GpuModel("NVIDIA GeForce RTX 3090", 24576, 350),
    GpuModel("NVIDIA GeForce RTX 4080", 16376, 320),
    GpuModel("NVIDIA GeForce RTX 4090", 24564, 450),
)


def _aliases(name: str) -> tuple[str, ...]:
    """Short names a scenario may use: ``A100-SXM4-40GB``, ``RTX 4090``, ``T4``."""
    forms = [name]
    for prefix in ("NVIDIA GeForce ", "NVIDIA ", "Tesla "):
        if name.startswith(prefix):
            forms.append(name.removeprefix(prefix))
    return tuple(forms)


_BY_NAME = {alias: model for model in MODELS for alias in _aliases(model.name)}


def find_model(name: str) -> GpuModel | None:
    return _BY_NAME.get(name)


def gpu_uuid(node_name: str, index: int) -> str:
    """A stable UUID in NVML's shape, derived from where the GPU sits."""
    return "GPU-" + _dashed(hashlib.sha1(f"{node_name}/gpu{index}".encode()).hexdigest())


def _mig_uuid(node_name: str, index: int, instance: int) -> str:
    return "MIG-" + _dashed(hashlib.sha1(f"{node_name}/gpu{index}/mig{instance}".encode()).hexdigest())


def _dashed(digest: str) -> str:
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def pci_bus_id(index: int) -> str:
    return f"00000000:{index + 1:02X}:00.0"


def rename_gpus(gpus: tuple[Gpu, ...], node_name: str) -> tuple[Gpu, ...]:
    """The same GPUs on a node with another name: UUIDs derived afresh, so copies never share one."""
    return tuple(
        replace(
            gpu,
            uuid=gpu_uuid(node_name, gpu.index),
            mig_devices=tuple(
                replace(mig, uuid=_mig_uuid(node_name, gpu.index, i)) for i, mig in enumerate(gpu.mig_devices)
            ),
        )
        for gpu in gpus
    )


def parse_gpus(value: Value, node_name: str) -> tuple[tuple[Gpu, ...], MigSetup | None, bool]:
    """The node's GPUs, its MIG setup, and whether the UUIDs were given explicitly."""
    fields = value.mapping(GPU_FIELDS)
    count = fields.require("count").integer(minimum=1)
    model_value = fields.require("model")
    model_name = model_value.nonempty()
    known = find_model(model_name)
    memory_value = fields.get("memoryMiB")
    if memory_value is not None:
        memory = memory_value.integer(minimum=1)
    elif known is not None:
        memory = known.memory_mib
    else:
        raise model_value.error(
            f"unknown model {json.dumps(one_line(model_name))}: give memoryMiB beside it "
            f"(known models: {', '.join(m.name for m in MODELS)})"
        )
    name = known.name if known is not None else model_name
    uuids_value = fields.get("uuids")
    uuids = (
        _uuids(uuids_value, count)
        if uuids_value is not None
        else tuple(gpu_uuid(node_name, i) for i in range(count))
    )
    mig, profiles = _mig(fields.get("mig"), known)
    gpus = tuple(
        Gpu(
            index=i,
            uuid=uuids[i],
            name=name,
            memory_mib=memory,
            pci_bus_id=pci_bus_id(i),
            mig_devices=tuple(
                MigDevice(profile=p, uuid=_mig_uuid(node_name, i, k)) for k, p in enumerate(profiles)
            ),
        )
        for i in range(count)
    )
    return gpus, mig, uuids_value is not None


def _uuids(value: Value, count: int) -> tuple[str, ...]:
    items = value.items()
    if len(items) != count:
        raise value.error(f"expected {count} UUIDs (one per GPU, as count says), got {len(items)}")
    uuids = tuple(
        item.matching(_GPU_UUID, "a GPU UUID like GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx") for item in items
    )
    for i, uuid in enumerate(uuids):
        if uuid in uuids[:i]:
            raise items[i].error(f"duplicate GPU UUID {uuid}")
    return uuids


def _mig(value: Value | None, model: GpuModel | None) -> tuple[MigSetup | None, tuple[str, ...]]:
    if value is None or value.is_null:
        return None, ()
    if model is not None and not model.mig_capable:
        raise value.error(
            f"{model.name} does not support MIG "
            f"(MIG-capable: {', '.join(m.name for m in MODELS if m.mig_capable)})"
        )
    fields = value.mapping(MIG_FIELDS)
    strategy = fields.require("strategy").choice(MIG_STRATEGIES)
    profiles_value = fields.get("profiles")
    profiles = (
        profiles_value.strings(lambda item: item.matching(_MIG_PROFILE, 'a MIG profile like "1g.5gb"'))
        if profiles_value is not None
        else ()
    )
    slices = sum(int(p.split("g.", 1)[0]) for p in profiles)
    if profiles_value is not None and slices > _COMPUTE_SLICES:
        raise profiles_value.error(f"profiles use {slices} compute slices; a GPU has {_COMPUTE_SLICES}")
    return MigSetup(strategy=cast(MigStrategy, strategy)), profiles
