"""What a loaded NVIDIA kernel module shows: /proc/driver/nvidia/version, /sys/module/nvidia/version
and one /proc/driver/nvidia/gpus/<bus>/information per GPU (absent when no driver is loaded)."""

from __future__ import annotations

from gpusim.hostroot.files import HostFiles
from gpusim.hostroot.system import os_release
from gpusim.model import Gpu, HostState, NodeSpec

# Build stamps of a few real driver builds; other versions get a plausible fixed one.
_BUILD_DATES = {
    "535.104.05": "Sat Aug 19 01:15:15 UTC 2023",
    "550.135": "Thu Nov 21 06:47:16 UTC 2024",
    "580.95.05": "Thu Sep 25 00:23:13 UTC 2025",
}
_DEFAULT_BUILD_DATE = "Tue Jan 16 21:38:29 UTC 2024"
_OPEN_BUILDER = "dvs-builder@U16-I3-C04-1-1"


def version_file(host: HostState, gcc: str) -> str:
    """/proc/driver/nvidia/version in the proprietary or the open module's form."""
    assert host.driver_version is not None
    version = host.driver_version
    date = _BUILD_DATES.get(version, _DEFAULT_BUILD_DATE)
    if host.kernel_module == "open":
        first = (
            f"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  {version}  Release Build"
            f"  ({_OPEN_BUILDER})  {date}"
        )
    else:
        first = f"NVRM version: NVIDIA UNIX x86_64 Kernel Module  {version}  {date}"
    return f"{first}\nGCC version:  {gcc}\n"


def proc_bus_id(gpu: Gpu) -> str:
    """``00000000:01:00.0`` (nvidia-smi) -> ``0000:01:00.0`` (procfs and sysfs), lower-case hex."""
    return gpu.pci_bus_id[4:].lower()


def information_file(gpu: Gpu) -> str:
    """The per-GPU information file, tabs and all, as the driver's procfs writes it."""
    return (
        f"Model: \t\t {gpu.name}\n"
        f"IRQ:   \t\t {160 + gpu.index}\n"
        f"GPU UUID: \t {gpu.uuid}\n"
        "Video BIOS: \t ??.??.??.??.??\n"
        "Bus Type: \t PCIe\n"
        "DMA Size: \t 47 bits\n"
        "DMA Mask: \t 0x7fffffffffff\n"
        f"Bus Location: \t {proc_bus_id(gpu)}\n"
        f"Device Minor: \t {gpu.index}\n"
        "GPU Excluded:\t No\n"
    )


def render_driver(files: HostFiles, node: NodeSpec) -> None:
    host = node.host
    if host is None or host.driver_version is None:
        return
    files.write("/proc/driver/nvidia/version", version_file(host, os_release(node.os_image).gcc))
    files.write("/sys/module/nvidia/version", host.driver_version + "\n")
    for gpu in node.gpus:
        files.write(f"/proc/driver/nvidia/gpus/{proc_bus_id(gpu)}/information", information_file(gpu))
