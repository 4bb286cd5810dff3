"""What an image does when the simulated kubelet runs it, and what it is told about its node."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..host_history import HostHistory
from ..model import Gpu, NodeSpec, Scenario
from .allocation import AllocateResponse
from .injection import Injection

if TYPE_CHECKING:
    from .prefork import Zygotes

Obj = dict[str, Any]


class VolumeSetupError(Exception):
    """A volume in ``volume_dirs`` cannot be set up yet (its ConfigMap is missing, say): the container does
    not start. The message is the kubelet's FailedMount event."""


@dataclass(frozen=True)
class ContainerContext:
    """Everything an image's behaviour may look at: the pod, the container, the node's truth."""

    pod: Obj
    container: dict[str, Any]
    node: NodeSpec | None
    host_roots: Mapping[str, Path]  # GPU node name -> host root; looked up only by images that mount the host
    runtime: str  # the effective low-level runtime handler
    scenario: Scenario
    allocated: tuple[Gpu, ...] = ()  # GPUs the device plugin allocated to this container
    claim_dirs: Mapping[str, Path] = field(default_factory=dict)  # bound claim name -> its volume's directory
    # configMap, downwardAPI and projected volume name -> its files' directory, written on first lookup
    volume_dirs: Mapping[str, Path] = field(default_factory=dict)
    config_maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # the pod's namespace's, by name
    service_env: Mapping[str, str] = field(default_factory=dict)  # KUBERNETES_SERVICE_HOST and the rest
    image_env: Mapping[str, str] = field(default_factory=dict)  # the image's own ENV (a CUDA image's NVIDIA_*)
    allocation: AllocateResponse = field(default_factory=AllocateResponse)  # the device plugin's Allocate answer
    injection: Injection = field(default_factory=Injection)  # what the runtime injected (images/injection.py)
    container_dir: Path | None = None  # this container's own directory on this machine (its /dev, its libraries)
    history: HostHistory = field(default_factory=HostHistory)  # the cluster's: has a plugin started on the node?

    @property
    def host_root(self) -> Path | None:
        return self.host_roots.get(self.node.name) if self.node is not None else None

    @property
    def driver_injected(self) -> bool:
        """Did the runtime put the host's driver libraries (NVML) into the container?"""
        return self.injection.driver

    @property
    def visible_gpus(self) -> tuple[Gpu, ...]:
        """GPUs the container sees through NVML: what the runtime injected (images/injection.py)."""
        return self.injection.gpus if self.injection.driver else ()


@dataclass(frozen=True)
class Script:
    """A simulated process: ``steps`` of (simulated seconds to wait, text to print), then an exit.

    ``exit_code`` None means it runs until stopped. ``ready`` is what a readiness probe would see.
    ``registers`` are device-plugin resources announced to the kubelet once running, as (resource,
    devices, healthy devices); ``node_labels`` labels it publishes for its node (GPU Feature Discovery);
    ``enumerated`` the GPUs a device plugin found at its start, by index and the UUID NVML gave it then.
    """

    steps: tuple[tuple[float, str], ...] = ()
    exit_code: int | None = 0
    ready: bool = True
    registers: tuple[tuple[str, int, int], ...] = ()
    node_labels: tuple[tuple[str, str], ...] = ()
    enumerated: tuple[tuple[int, str], ...] = ()  # a device plugin's GPUs as it read them: (index, UUID)
    dra_driver: str = ""  # the DRA driver whose kubelet plugin registers once running (gpu.nvidia.com)


@dataclass(frozen=True)
class Process:
    """A real subprocess (the project's own image); its output goes to the container log."""

    argv: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    # (directory on this machine, mountPath): the process runs on the real directory, but what it
    # prints shows the mountPath, as a container with that hostPath mount would print it.
    mounts: tuple[tuple[str, str], ...] = ()
    zygotes: Zygotes | None = field(default=None, compare=False, repr=False)  # the cluster's (images/prefork.py)

    def as_seen_inside(self, text: str) -> str:
        for directory, mount_path in self.mounts:
            text = text.replace(directory, mount_path.rstrip("/") or "/")
        return text


Outcome = Script | Process
Behaviour = Callable[[ContainerContext], Outcome]


def klog(severity: str, where: str, message: str) -> str:
    """One klog line, e.g. ``I0506 17:45:45.421854       1 main.go:356] Retrieving plugins.``."""
    now = time.time()
    stamp = time.strftime("%m%d %H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1e6):06d}"
    return f"{severity}{stamp}       1 {where}] {message}\n"


def command_line(container: dict[str, Any]) -> list[str]:
    words = [*(container.get("command") or []), *(container.get("args") or [])]
    return [str(w) for w in words]


def repository(image: str) -> str:
    """The image reference without tag or digest: ``host:5000/nvidia/dcgm:4.2.3`` -> ``host:5000/nvidia/dcgm``."""
    name, _, tag = image.split("@")[0].rpartition(":")
    return image.split("@")[0] if not name or "/" in tag else name
