"""The NVIDIA character devices and their /dev/char/<major>:<minor> symlinks, from the host's procfs and /dev.

runc's systemd cgroup driver hands a container's device rules to systemd as ``DeviceAllow=/dev/char/<major>:<minor>``;
systemd drops a rule whose path does not exist, so on its next ``systemctl daemon-reload`` the container loses the
device: "Failed to initialize NVML: Unknown Error" (NVIDIA/nvidia-container-toolkit#48, opencontainers/runc#3671).
udev makes those symlinks for the devices it creates, not for the NVIDIA nodes nvidia-modprobe makes.

Which devices exist is read as the NVIDIA Container Toolkit reads it (internal/info/proc/devices): the majors
registered in /proc/devices (``nvidia-frontend`` or ``nvidia``, and ``nvidia-uvm``) with the driver's fixed minors
(nvidiactl 255, nvidia-uvm 0, nvidia-uvm-tools 1) and each GPU's ``Device Minor`` from
/proc/driver/nvidia/gpus/*/information; the probe need not open a device node.
"""

from __future__ import annotations

import os
import re

from gpu_conformance.facts.node import DevCharLink, Observed
from gpu_conformance.node.hostfs import HostRoot

PROC_DEVICES = "/proc/devices"
GPU_INFORMATION = "/proc/driver/nvidia/gpus"
GPU_MAJOR_NAMES = ("nvidia-frontend", "nvidia")
CONTROL_MINOR, UVM_MINOR, UVM_TOOLS_MINOR = 255, 0, 1
_MINOR = re.compile(r"^Device Minor:\s*(\d+)", re.MULTILINE)


def char_majors(text: str) -> dict[str, int]:
    """Device name -> major, from /proc/devices' character devices."""
    majors: dict[str, int] = {}
    for line in text.split("Block devices:", 1)[0].splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit():
            majors.setdefault(parts[1], int(parts[0]))
    return majors


def _gpu_minors(host: HostRoot) -> list[int]:
    folder = host.path(GPU_INFORMATION)
    minors = []
    for information in sorted(folder.glob("*/information")) if folder.is_dir() else ():
        found = _MINOR.search(information.read_text(errors="replace"))
        if found:
            minors.append(int(found.group(1)))
    return sorted(minors)


def _link(host: HostRoot, number: str) -> str | None:
    path = host.path(f"/dev/char/{number}")
    return os.readlink(path) if path.is_symlink() else None


def expected_devices(majors: dict[str, int], gpu_minors: list[int]) -> list[tuple[str, str]]:
    """(device node name, "major:minor") for each NVIDIA character device the driver registered."""
    gpu = next((majors[name] for name in GPU_MAJOR_NAMES if name in majors), None)
    devices = []
    if gpu is not None:
        devices += [(f"nvidia{minor}", f"{gpu}:{minor}") for minor in gpu_minors]
        devices.append(("nvidiactl", f"{gpu}:{CONTROL_MINOR}"))
    uvm = majors.get("nvidia-uvm")
    if uvm is not None:
        devices += [("nvidia-uvm", f"{uvm}:{UVM_MINOR}"), ("nvidia-uvm-tools", f"{uvm}:{UVM_TOOLS_MINOR}")]
    return devices


def collect(host: HostRoot) -> Observed[tuple[DevCharLink, ...]]:
    source = f"{host.shown(PROC_DEVICES)}, {host.shown(GPU_INFORMATION)}/*/information and {host.shown('/dev/char')}"
    text, error = host.read(PROC_DEVICES)
    if text is None:
        return Observed.missing(source, f"{host.shown(PROC_DEVICES)}: {error}")
    try:
        devices = expected_devices(char_majors(text), _gpu_minors(host))
        links = tuple(DevCharLink(name, number, _link(host, number)) for name, number in devices)
    except OSError as exc:
        return Observed.missing(source, exc.strerror or str(exc))
    if not links:
        return Observed.missing(source, "no NVIDIA character device in /proc/devices: is the driver loaded?")
    return Observed(links, source)
