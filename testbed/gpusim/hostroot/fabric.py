"""What an NVSwitch system's host shows of its fabric: the switch device nodes and the Fabric Manager.

The NVSwitch driver creates /dev/nvidia-nvswitchctl and one /dev/nvidia-nvswitchN per switch chip (regular files
here: a host root cannot hold character devices without privileges). The nvidia-fabricmanager package installs
/usr/bin/nv-fabricmanager, and its systemd unit runs it as a daemon: while it runs the host's /proc has its
process, whose ``comm`` the kernel cuts to 15 characters (``nv-fabricmanage``). Pid 1 (systemd) is there too, so
a host without the daemon still has a process list. The daemon's log and the unit file are not rendered.
"""

from __future__ import annotations

from gpusim.hostroot.files import HostFiles
from gpusim.model import NodeSpec

MANAGER_BINARY = "/usr/bin/nv-fabricmanager"
MANAGER_CONFIG = "/usr/share/nvidia/nvswitch/fabricmanager.cfg"
_MANAGER_PID = 2143
_TASK_COMM_LEN = 15  # the kernel's TASK_COMM_LEN (16) less the NUL


def _process(files: HostFiles, pid: int, argv: tuple[str, ...]) -> None:
    files.write(f"/proc/{pid}/cmdline", "\0".join(argv) + "\0")
    files.write(f"/proc/{pid}/comm", argv[0].rsplit("/", 1)[-1][:_TASK_COMM_LEN] + "\n")


def render_fabric(files: HostFiles, node: NodeSpec) -> None:
    fabric = node.host.fabric if node.host is not None else None
    if fabric is None:
        return
    files.write("/dev/nvidia-nvswitchctl", "")
    for index in range(fabric.nvswitches):
        files.write(f"/dev/nvidia-nvswitch{index}", "")
    _process(files, 1, ("/usr/lib/systemd/systemd", "--switched-root", "--system", "--deserialize", "31"))
    if fabric.manager == "missing":
        return
    files.write(MANAGER_BINARY, "#!/bin/sh\n# nv-fabricmanager of a simulated host: its output is not modelled.\n",
                executable=True)
    if fabric.manager == "running":
        _process(files, _MANAGER_PID, (MANAGER_BINARY, "-c", MANAGER_CONFIG))
