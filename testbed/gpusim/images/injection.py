"""Which GPUs and driver files the container runtime puts into one container, as the real stack decides it.

The chain, in the order a container is created (containerd's CRI plugin, then the OCI runtime it calls):

1. **containerd-native CDI** (``enable_cdi``; containerd 2.x on by default, 1.7 off): the CRI request's CDI
   devices (the plugin's ``cdi-cri`` strategy) and ``cdi.k8s.io/*`` annotations are resolved against the CDI
   spec files present in /etc/cdi and /var/run/cdi when the container is created (``cdi_spec.host_devices``;
   the device plugin's own spec is there only if its pod mounts the host's /var/run/cdi), whatever the runtime
   handler, runc included. A name no spec defines fails container creation: ``CDI device injection failed:
   unresolvable CDI devices ...`` (CreateContainerError). A CDI device's node is the host's /dev/nvidiaN at that
   moment, whatever board sits there. The NVIDIA specs' edits set ``NVIDIA_VISIBLE_DEVICES=void``, so an NVIDIA
   runtime later injects nothing more.
2. **nvidia-container-runtime**, when the handler's binary is it (``nvidia``, ``nvidia-cdi``, ``nvidia-legacy``)
   and the toolkit is installed; its mode is the handler's (``.cdi``, ``.legacy``) or ``nvidia-container-
   runtime.mode`` for ``nvidia`` (``auto``: cdi when the container carries CDI requests, else legacy;
   NVIDIA/nvidia-container-toolkit internal/info/auto.go).

   - legacy (the prestart hook and nvidia-container-cli): devices from the ``/var/run/nvidia-container-devices/*``
     mounts when ``accept-nvidia-visible-devices-as-volume-mounts`` and there are some, else from
     NVIDIA_VISIBLE_DEVICES when the container is privileged (CAP_SYS_ADMIN) or
     ``accept-nvidia-visible-devices-envvar-when-unprivileged``: ``all``, UUIDs or indices, ``none`` (driver, no
     GPU); ``void``, empty or unset: nothing (cmd/nvidia-container-runtime-hook/container_config.go). An unknown
     device fails the start: ``nvidia-container-cli: device error: X: unknown device`` (RunContainerError).
   - cdi: devices from the ``cdi.k8s.io/`` annotations, else NVIDIA_VISIBLE_DEVICES (when accepted as above) as
     CDI names of the config's ``modes.cdi.default-kind`` (``nvidia.com/gpu``; the GPU Operator's
     ``management.nvidia.com/gpu``: ``all`` -> ``management.nvidia.com/gpu=all``), resolved against the specs;
     an undefined one fails the start: ``failed to inject CDI devices: unresolvable CDI devices ...``.
3. A **privileged** container gets every device node of the host (``/dev/nvidia*``) from the runtime, but no
   driver library unless one of the above injected it.

A host without a loaded driver injects nothing here (its failures are modelled elsewhere).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..cdi_spec import CONTROL_NODES, spec_devices
from ..model import Gpu, NodeSpec
from .allocation import CDI_PREFIX, ENVVAR, MOUNTS_ROOT

LEGACY_CONTROL_NODES = ("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools")  # nvidia-container-cli, compute/utility
BUILTIN_HANDLERS = ("runc", "crun")
_CDI_ENV = {ENVVAR: "void"}  # the NVIDIA spec's top-level containerEdits.env
_CONTAINERD_CREATE = "CDI device injection failed: "  # the kubelet's message adds containerd's context
_RUNTIME_CREATE = ("failed to create containerd task: failed to create shim task: OCI runtime create failed: ")


@dataclass(frozen=True)
class StartFailure:
    """The container cannot be created or started; ``reason`` as the kubelet reports it."""

    reason: Literal["CreateContainerError", "RunContainerError"]
    message: str


@dataclass(frozen=True)
class ContainerRequest:
    """What reaches the runtime for one container."""

    handler: str  # the effective runtime handler: the node's default, or the pod's RuntimeClass handler
    env: Mapping[str, str]  # the container's env: the image's, under the plugin's, under the pod spec's
    annotations: Mapping[str, str] = field(default_factory=dict)  # the pod's and the plugin's
    device_mounts: tuple[str, ...] = ()  # container paths the plugin mounts /dev/null at
    cdi_devices: tuple[str, ...] = ()  # CDI device names of the CRI request (the plugin's cdi-cri strategy)
    privileged: bool = False  # securityContext.privileged
    sys_admin: bool = False  # CAP_SYS_ADMIN in the bounding set: what the toolkit takes for privileged


@dataclass(frozen=True)
class Injection:
    """What the container got."""

    gpus: tuple[Gpu, ...] = ()  # GPUs NVML lists inside (all of them when privileged with the driver)
    driver: bool = False  # the driver's libraries (NVML) are in the container
    device_nodes: tuple[str, ...] = ()  # names under /dev: nvidia0, nvidiactl, ...
    env: Mapping[str, str] = field(default_factory=dict)  # variables the injection set (CDI: void)
    failure: StartFailure | None = None


def _annotation_devices(annotations: Mapping[str, str]) -> list[str]:
    names: list[str] = []
    for key in sorted(annotations):
        if key.startswith(CDI_PREFIX):
            names += [n.strip() for n in annotations[key].split(",") if n.strip()]
    return names


def env_devices(env: Mapping[str, str]) -> list[str] | None:
    """NVIDIA_VISIBLE_DEVICES as the toolkit reads it: None for unset, empty or ``void``; ``["none"]``, ``["all"]``
    or the listed ids otherwise."""
    words = [w.strip() for w in env.get(ENVVAR, "").split(",") if w.strip()]
    if not words or "void" in words:
        return None
    for special in ("all", "none"):
        if special in words:
            return [special]
    return words


def _qualified(name: str) -> bool:
    vendor_class, sep, device = name.partition("=")
    return bool(sep and device and "/" in vendor_class)


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


@dataclass
class _Result:
    node: NodeSpec
    minors: set[int] = field(default_factory=set)
    driver: bool = False
    control: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)

    def add_cdi(self, names: list[str], spec: Mapping[str, tuple[int, ...]]) -> list[str]:
        """Apply CDI devices; the names no spec defines."""
        missing = [n for n in names if n not in spec and not n.endswith("/gpu=none")]
        if missing:
            return missing
        for name in names:
            self.minors.update(spec.get(name, ()))
        self.driver, self.control = True, CONTROL_NODES
        self.env.update(_CDI_ENV)
        return []

    def injection(self, privileged: bool) -> Injection:
        host_gpus = self.node.gpus
        gpus = host_gpus if privileged and self.driver else tuple(g for g in host_gpus if g.index in self.minors)
        nodes = [f"nvidia{g.index}" for g in gpus] + list(self.control)
        if privileged:
            nodes = [f"nvidia{g.index}" for g in host_gpus] + list(CONTROL_NODES)
        return Injection(gpus=gpus, driver=self.driver, device_nodes=tuple(sorted(set(nodes))), env=dict(self.env))


def inject(node: NodeSpec | None, request: ContainerRequest,
           specs: Mapping[str, tuple[int, ...]] | None = None) -> Injection:
    """What the runtime injects into the container on ``node`` (see the module's docstring); ``specs``: the CDI
    devices the node's spec files define now (``cdi_spec.host_devices``), by default those rendered from its
    truth (``cdi_spec.spec_devices``, no plugin spec)."""
    host = node.host if node is not None else None
    if node is None or host is None or host.driver_version is None:
        return Injection()
    spec = spec_devices(node) if specs is None else specs
    result = _Result(node)
    env = dict(request.env)
    runtime = host.runtime
    asked = [*request.cdi_devices, *_annotation_devices(request.annotations)]
    native = _unique(asked) if cdi_enabled(node) else []
    if native:
        missing = result.add_cdi(native, spec)
        if missing:
            return Injection(failure=StartFailure("CreateContainerError", _CONTAINERD_CREATE +
                                                  "unresolvable CDI devices " + ", ".join(missing)))
        env.update(_CDI_ENV)
    toolkit = host.toolkit
    if request.handler in runtime.handlers and request.handler not in BUILTIN_HANDLERS and toolkit.installed:
        failure = _nvidia_runtime(result, request, env, spec)
        if failure is not None:
            return Injection(failure=failure)
    return result.injection(request.privileged)


def cdi_enabled(node: NodeSpec) -> bool:
    """Does the node's container runtime inject CDI devices itself? containerd: ``enable_cdi`` (default off in
    1.x, on from 2.0); CRI-O: always (since 1.23); Docker (not a CRI runtime here): only with ``features.cdi``."""
    assert node.host is not None
    runtime = node.host.runtime
    if runtime.enable_cdi is not None:
        return runtime.enable_cdi
    kind, _, version = node.container_runtime_version.partition("://")
    if runtime.kind == "cri-o":
        return True
    major = version.split(".", 1)[0]
    return runtime.kind == "containerd" and kind == "containerd" and major.isdigit() and int(major) >= 2


def _mode(request: ContainerRequest, env: Mapping[str, str], node: NodeSpec) -> str:
    assert node.host is not None
    toolkit = node.host.toolkit
    if toolkit.version is None:  # the nvidia-docker 2.0 runtime knew nothing but its hook
        return "legacy"
    mode = {"nvidia-cdi": "cdi", "nvidia-legacy": "legacy"}.get(request.handler, toolkit.mode)
    if mode != "auto":
        return mode
    listed = env_devices(env) or []
    if _annotation_devices(request.annotations) or (listed and all(_qualified(d) for d in listed)):
        return "cdi"
    return "legacy"


def _nvidia_runtime(result: _Result, request: ContainerRequest, env: Mapping[str, str],
                    spec: Mapping[str, tuple[int, ...]]) -> StartFailure | None:
    node = result.node
    assert node.host is not None
    toolkit = node.host.toolkit
    accepted = request.sys_admin or request.privileged or toolkit.accept_envvar_unprivileged
    mounted = [m[len(MOUNTS_ROOT) + 1:] for m in request.device_mounts if m.startswith(MOUNTS_ROOT + "/")]
    if _mode(request, env, node) == "cdi":
        names = _annotation_devices(request.annotations)
        if not names and toolkit.accept_volume_mounts and mounted:
            names = [m if _qualified(m) else f"{toolkit.cdi_default_kind}={m}" for m in mounted]
        listed = env_devices(env)
        if not names and listed is not None and accepted:
            names = [d if _qualified(d) else f"{toolkit.cdi_default_kind}={d}" for d in listed]
        if not names:
            return None
        missing = result.add_cdi(_unique(names), spec)
        if missing:
            return StartFailure("RunContainerError", _RUNTIME_CREATE + "could not apply required modification to "
                                "OCI specification: error modifying OCI spec: failed to inject CDI devices: "
                                f"unresolvable CDI devices {', '.join(missing)}: unknown")
        return None
    devices = mounted if toolkit.accept_volume_mounts and mounted else None
    if devices is None:
        devices = env_devices(env) if accepted else None
    if devices is None:
        return None
    result.driver, result.control = True, LEGACY_CONTROL_NODES
    if devices == ["none"]:
        return None
    if devices == ["all"]:
        result.minors.update(g.index for g in node.gpus)
        return None
    for device in devices:
        gpu = next((g for g in node.gpus if device in (g.uuid, str(g.index))), None)
        if gpu is None:
            return StartFailure("RunContainerError", _RUNTIME_CREATE + "runc create failed: unable to start "
                                "container process: error during container init: error running hook #0: error "
                                "running hook: exit status 1, stdout: , stderr: Auto-detected mode as 'legacy'\n"
                                f"nvidia-container-cli: device error: {device}: unknown device: unknown")
        result.minors.add(gpu.index)
    return None
