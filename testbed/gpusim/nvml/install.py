"""Placing the stand-in NVML into a simulated host root, with the data file that is its "driver".

The library goes where the node's distribution keeps the driver's libraries, as the real driver
installs it: ``libnvidia-ml.so.<driver>`` plus the ``libnvidia-ml.so.1`` soname link. It is a hard
link to the one cached build (a copy across filesystems), so a thousand nodes render quickly.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from gpusim.cuda import driver_cuda_version
from gpusim.hostroot.files import HostFiles
from gpusim.hostroot.system import os_release
from gpusim.model import Gpu, NodeSpec
from gpusim.nvml.build import SONAME, build_library

DATA_FILE = "/run/nvidia-sim/nvml.conf"
MIB = 1024 * 1024


def library_dir(node: NodeSpec) -> str:
    """Debian/Ubuntu: the multiarch folder; RPM distributions: /usr/lib64."""
    if os_release(node.os_image).uses_dpkg:
        return "/usr/lib/aarch64-linux-gnu" if node.architecture == "arm64" else "/usr/lib/x86_64-linux-gnu"
    return "/usr/lib64"


def nvml_data(node: NodeSpec, gpus: tuple[Gpu, ...] | None = None) -> str | None:
    """The data file's text from the node's truth; None when no driver is loaded.

    ``gpus``: only these (what a container sees), numbered from 0 in their order as NVML numbers the devices
    of a container; all of the node's by default."""
    host = node.host
    if host is None or host.driver_version is None:
        return None
    cuda = host.cuda_driver_version or driver_cuda_version(host.driver_version)
    lines = [f"driver_version={host.driver_version}", f"cuda_driver_version={cuda}"]
    listed = node.gpus if gpus is None else gpus
    lines += [f"gpu={index}|{gpu.uuid}|{gpu.memory_mib * MIB}|{gpu.name}" for index, gpu in enumerate(listed)]
    fabric = fabric_line(node)
    if fabric is not None:
        lines.append(fabric)
    return "\n".join(lines) + "\n"


_FABRIC_STATES = {"not-started": 1, "in-progress": 2, "completed": 3}  # nvmlGpuFabricState_t


def fabric_line(node: NodeSpec) -> str | None:
    """Every GPU's NVLink fabric state on an NVSwitch system (status NVML_SUCCESS), None elsewhere.

    Without a fabric, a real Hopper answers state NOT_SUPPORTED and an older GPU NVML_ERROR_NOT_SUPPORTED; the
    stand-in answers the latter for both (both mean: on no NVLink fabric)."""
    assert node.host is not None
    fabric = node.host.fabric
    return None if fabric is None else f"fabric={_FABRIC_STATES[fabric.state]}|0"


def place_library(target: Path) -> bool:
    """A hard link to the cached build at ``target`` (a copy across filesystems); False without a build."""
    library = build_library()
    if library is None:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(library, target)
    except OSError:
        shutil.copyfile(library, target)
    return True


def install_nvml(files: HostFiles, node: NodeSpec) -> None:
    """Library on every NVIDIA host (a host without the kernel module still has it); data with a driver."""
    if node.host is None:
        return
    folder = library_dir(node)
    driver = node.host.driver_version
    name = f"libnvidia-ml.so.{driver}" if driver else SONAME
    if not place_library(files.path(f"{folder}/{name}")):
        return
    if name != SONAME:
        files.link(f"{folder}/{SONAME}", name)
    data = nvml_data(node)
    if data is not None:
        files.write(DATA_FILE, data)
