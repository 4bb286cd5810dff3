"""The NVIDIA driver's character devices as the host shows them: /proc/devices, and /dev/char symlinks where made.

With its modules loaded the driver registers its character-device majors in /proc/devices: 195 for the GPUs
(/dev/nvidiaN, minor N) and the control device (/dev/nvidiactl, minor 255), a dynamic major for nvidia-uvm
(/dev/nvidia-uvm minor 0, /dev/nvidia-uvm-tools minor 1); the minors are fixed by the driver (NVIDIA Container
Toolkit, internal/info/proc/devices). The GPU major's name is written ``nvidia-frontend`` here, as the toolkit's
earlier releases read it (later ones read ``nvidia`` too; which driver branch renamed it is not confirmed).

udev makes /dev/char/<major>:<minor> symlinks for devices it creates, but the NVIDIA device nodes are made by
nvidia-modprobe, outside udev, so none exist unless `nvidia-ctk system create-dev-char-symlinks --create-all` (or
its udev rule, or the GPU Operator's validator) made them (NVIDIA/nvidia-container-toolkit#48): here only with
``devCharSymlinks``. The device nodes themselves are not rendered; the links point where they would be.
"""

from __future__ import annotations

from gpusim.hostroot.files import HostFiles
from gpusim.model import NodeSpec

GPU_MAJOR = 195
UVM_MAJOR = 510  # dynamic on a real host
CONTROL_MINOR = 255
_OTHER_DEVICES = ("  1 mem", "  4 /dev/vc/0", "  4 tty", "  5 /dev/tty", "  5 /dev/console", " 10 misc")


def proc_devices() -> str:
    lines = ["Character devices:", *_OTHER_DEVICES, f"{GPU_MAJOR} nvidia-frontend", f"{UVM_MAJOR} nvidia-uvm", "",
             "Block devices:", "  8 sd", "253 device-mapper"]
    return "\n".join(lines) + "\n"


def char_links(node: NodeSpec) -> dict[str, str]:
    """/dev/char/<major>:<minor> -> the device node's name, for every NVIDIA device of the node."""
    links = {f"{GPU_MAJOR}:{gpu.index}": f"nvidia{gpu.index}" for gpu in node.gpus}
    links[f"{GPU_MAJOR}:{CONTROL_MINOR}"] = "nvidiactl"
    links[f"{UVM_MAJOR}:0"], links[f"{UVM_MAJOR}:1"] = "nvidia-uvm", "nvidia-uvm-tools"
    return links


def render_char_devices(files: HostFiles, node: NodeSpec) -> None:
    host = node.host
    if host is None or host.driver_version is None:
        return
    files.write("/proc/devices", proc_devices())
    if host.dev_char_symlinks:
        for number, name in char_links(node).items():
            files.link(f"/dev/char/{number}", f"../{name}")
