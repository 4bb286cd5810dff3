"""What `systemctl daemon-reload` does to a running GPU container whose devices systemd does not know.

runc under the systemd cgroup driver hands systemd a container's device rules as ``DeviceAllow=/dev/char/<maj>:<min>``;
systemd drops those whose path does not exist. The NVIDIA hook (nvidia-container-runtime in legacy mode) adds the
GPUs' device nodes outside the OCI spec, and the driver makes no /dev/char links for them, so at the next reload
systemd rewrites the container's device cgroup without them: every NVML call in it then fails ("Failed to initialize
NVML: Unknown Error") until the container is restarted (NVIDIA/nvidia-container-toolkit#48). Containers under
cgroupfs, CDI containers (their devices are in the spec) and hosts with the /dev/char links keep their GPUs.
"""

from __future__ import annotations

from pathlib import Path

from .images.injection import Injection
from .model import NodeSpec
from .nvml.install import DATA_FILE

CDI_HANDLER = "nvidia-cdi"
REVOKED = "devices=revoked\n"  # the stand-in NVML's data-file line for a device cgroup without the GPUs


def loses_gpus_on_reload(node: NodeSpec, handler: str, injection: Injection) -> bool:
    """Whether a container started on ``node`` under ``handler`` with ``injection`` loses its GPUs at a reload."""
    host = node.host
    if host is None or not injection.driver or not injection.device_nodes or host.dev_char_symlinks:
        return False
    runtime = host.runtime
    through_hook = (handler in runtime.handlers and handler != CDI_HANDLER and host.toolkit.mode != "cdi"
                    and runtime.kind == "containerd")
    return through_hook and runtime.systemd_cgroup


def revoke(container_dir: Path) -> bool:
    """The reload's effect on the container's view: its NVML data says the devices are gone. False: no NVML there."""
    data = container_dir / "root" / DATA_FILE.lstrip("/")
    if not data.is_file():
        return False
    with data.open("a", encoding="utf-8") as file:
        file.write(REVOKED)
    return True
