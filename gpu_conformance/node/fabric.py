"""The host's side of an NVSwitch fabric: the switches' device nodes and whether the Fabric Manager runs.

The NVSwitch driver creates /dev/nvidia-nvswitchN per switch chip (HGX/DGX A100, H100, H200, B200). The Fabric
Manager (nv-fabricmanager) runs as the nvidia-fabricmanager systemd service on a host-installed driver, or inside the
GPU Operator's driver container; either way it is a process of the host, so the probe looks for it in the host's
/proc (the host root's /proc is the host's procfs), not at systemd's unit state, which a pod cannot ask for and which
misses the operator's daemon. A process's ``comm`` is cut to 15 characters (``nv-fabricmanage``): its command
line's first word is read instead, the ``comm`` only where the command line is empty.
"""

from __future__ import annotations

from pathlib import Path

from gpu_conformance.facts.node import FabricHost, Observed
from gpu_conformance.node.hostfs import HostRoot

MANAGER = "nv-fabricmanager"
MANAGER_BINARIES = ("/usr/bin/nv-fabricmanager", "/usr/sbin/nv-fabricmanager")
_COMM_LENGTH = 15


def _program(process: Path) -> str:
    """The process's program name, '' when it is gone or unreadable (processes come and go while /proc is read)."""
    try:
        argv0 = (process / "cmdline").read_bytes().split(b"\0", 1)[0].decode(errors="replace")
        if argv0:
            return argv0.rsplit("/", 1)[-1]
        return (process / "comm").read_text(errors="replace").strip()
    except OSError:
        return ""


def manager_pids(host: HostRoot) -> tuple[int, ...]:
    """The pids of the host's nv-fabricmanager processes."""
    found = []
    for process in host.path("/proc").iterdir():
        if process.name.isdigit():
            program = _program(process)
            if program == MANAGER or (len(program) == _COMM_LENGTH and MANAGER.startswith(program)):
                found.append(int(process.name))
    return tuple(sorted(found))


def collect(host: HostRoot) -> Observed[FabricHost]:
    """The NVSwitch device nodes, the Fabric Manager's processes and binary."""
    dev, proc = host.path("/dev"), host.path("/proc")
    source = f"{host.shown('/dev/nvidia-nvswitch*')} and {host.shown('/proc/*/cmdline')}"
    try:
        switches = sorted(str(p) for p in dev.glob("nvidia-nvswitch*") if p.name.removeprefix("nvidia-nvswitch")
                          .isdigit()) if dev.is_dir() else []
        pids = manager_pids(host) if proc.is_dir() else ()
    except OSError as exc:
        return Observed.missing(source, exc.strerror or str(exc))
    binary = next((host.shown(b) for b in MANAGER_BINARIES if host.exists(b)), None)
    return Observed(FabricHost(tuple(switches), pids, binary), source)
