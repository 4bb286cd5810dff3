"""A node's host root: the files a GPU check reads on a real host, rendered from the node's truth.

``render_host_root(node, root)`` writes ``root/etc/...``, ``root/proc/...``, ``root/usr/bin/...``:
driver files, toolkit binaries (sh scripts printing real version texts), nvidia-smi, the package
database, the container runtime's configuration, the toolkit's config.toml, the CDI specs written before
anything runs (nvidia-ctk's where declared, the GPU Operator toolkit's management spec) and /etc/os-release;
HostState.files last, verbatim. The device plugin's own spec is written later, by the plugin when it starts
(images/device_plugin.py).
Nodes without NVIDIA hardware get only their operating-system files.
"""

from __future__ import annotations

from pathlib import Path

from gpusim.cdi_spec import MANAGEMENT_SPEC, render_management_spec, render_spec, spec_path
from gpusim.hostroot.char_devices import render_char_devices
from gpusim.hostroot.driver import render_driver
from gpusim.hostroot.fabric import render_fabric
from gpusim.hostroot.files import HostFiles
from gpusim.hostroot.kernel_log import render_kernel_log
from gpusim.hostroot.nvidia_docker2 import legacy_dpkg_status, render_nvidia_docker2
from gpusim.hostroot.nvidia_smi import nvidia_smi_script
from gpusim.hostroot.packages import dpkg_status
from gpusim.hostroot.runtime import render_runtime
from gpusim.hostroot.system import os_release, render_system
from gpusim.hostroot.toolkit import render_toolkit
from gpusim.hostroot.toolkit_config import render_toolkit_config
from gpusim.model import NodeSpec
from gpusim.nvml import install_nvml
from gpusim.nvml.install import library_dir

__all__ = ["render_host_root"]


def render_host_root(node: NodeSpec, root: Path) -> None:
    files = HostFiles(root)
    render_system(files, node)
    host = node.host
    if host is None:
        return
    render_driver(files, node)
    render_kernel_log(files, node)
    render_fabric(files, node)
    render_char_devices(files, node)
    install_nvml(files, node)
    files.write("/usr/bin/nvidia-smi", nvidia_smi_script(node), executable=True)
    render_toolkit(files, host.toolkit)
    status = dpkg_status(host.toolkit)
    if host.toolkit.version is None and host.toolkit.nvidia_docker2 is not None:
        render_nvidia_docker2(files, host.toolkit.nvidia_docker2)
        status = legacy_dpkg_status(host.toolkit.nvidia_docker2)
    if status is not None and os_release(node.os_image).uses_dpkg:
        files.write("/var/lib/dpkg/status", status)
    render_runtime(files, host.runtime)
    render_toolkit_config(files, node)
    hook = f"{host.toolkit.prefix}/nvidia-cdi-hook"
    path, spec = spec_path(node), render_spec(node, library_dir(node), hook)
    if path is not None and spec is not None:
        files.write(path, spec)
    management = render_management_spec(node, library_dir(node), hook)
    if management is not None:
        files.write(MANAGEMENT_SPEC, management)
    for path, content in host.files:
        files.write(path, content)
