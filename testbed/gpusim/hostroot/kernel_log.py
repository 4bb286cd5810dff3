"""The kernel log syslog keeps on the host: /var/log/kern.log on Debian and Ubuntu, /var/log/messages elsewhere.

The NVIDIA driver logs its load and, for each Xid, one line (NVIDIA's Xid catalogue, "Xid Messages"):
``NVRM: Xid (PCI:0000:01:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.``, the PCI address
as domain:bus:device without the function. Here a node's ``unhealthyGpus`` logged their ``unhealthyXid``.
"""

from __future__ import annotations

import time

from gpusim.hostroot.files import HostFiles
from gpusim.hostroot.system import os_release
from gpusim.model import Gpu, NodeSpec

# What the driver prints after the Xid number for the Xids scenarios use (the rest end the line bare).
_XID_TEXT = {79: "GPU has fallen off the bus.",
             48: "An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer."}


def _pci(gpu: Gpu) -> str:
    """``00000000:01:00.0`` -> ``0000:01:00``, as NVRM prints it."""
    domain, bus, device_function = gpu.pci_bus_id.split(":")
    return f"{domain[-4:]}:{bus}:{device_function.split('.')[0]}".lower()


def kernel_log(node: NodeSpec, now: float) -> str:
    assert node.host is not None
    stamp = time.strftime("%b %e %H:%M:%S", time.gmtime(now))
    prefix = f"{stamp} {node.name} kernel:"
    lines = [f"{prefix} [    4.182011] nvidia: loading out-of-tree module taints kernel.",
             f"{prefix} [    4.305120] NVRM: loading NVIDIA UNIX x86_64 Kernel Module  {node.host.driver_version}"]
    for gpu in node.gpus:
        if gpu.index in node.unhealthy_gpus:
            text = _XID_TEXT.get(node.unhealthy_xid, "")
            lines.append(f"{prefix} [ 5123.456789] NVRM: Xid (PCI:{_pci(gpu)}): {node.unhealthy_xid}, "
                         f"pid='<unknown>', name=<unknown>, {text}".rstrip(", "))
    return "\n".join(lines) + "\n"


def render_kernel_log(files: HostFiles, node: NodeSpec) -> None:
    host = node.host
    if host is None or host.driver_version is None:
        return
    path = "/var/log/kern.log" if os_release(node.os_image).uses_dpkg else "/var/log/messages"
    files.write(path, kernel_log(node, time.time()))
