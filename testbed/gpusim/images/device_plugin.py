"""NVIDIA device plugin images (static manifest, Helm chart, GPU Operator, GKE) and GPU Feature Discovery.

What the plugin does on a node follows ``NodeSpec.device_plugin``; ``auto`` derives it from the
host the way the real plugin fails: without NVML (no driver, or a runtime that does not inject
it) it finds no device discovery strategy and, with fail-on-init-error, exits.

With a CDI device list strategy the NVIDIA plugin (>= v0.14) generates its own CDI spec once, at start, from
the GPUs NVML shows it then, and saves it to /var/run/cdi/k8s.device-plugin.nvidia.com-gpu.json in its
container (NVIDIA/k8s-device-plugin cmd/nvidia-device-plugin/plugin-manager.go ``GetPlugins`` ->
internal/cdi/cdi.go ``CreateSpecFile``, which logs ``Generating CDI spec for resource:
k8s.device-plugin.nvidia.com/gpu`` through logrus). The host sees it only where the pod mounts the host's
/var/run/cdi there: the GPU Operator's DaemonSet always does (assets/state-device-plugin/0500_daemonset.yaml
volume ``cdi-root``), the Helm chart from v0.15.0 (templates/daemonset-device-plugin.yml), the static manifest
never; otherwise the spec stays in the container and the runtime cannot resolve the names the plugin asks for.
"""

from __future__ import annotations

import json
import time
from typing import Literal

from ..cdi_spec import PLUGIN_KIND
from ..cuda import driver_cuda_version
from ..model import GpuSharing, NodeSpec
from ..plugin_start import cdi_hook, mounts_host_cdi_root, start_plugin, uses_cdi
from ..plugin_versions import MPS_SINCE, plugin_release
from .base import ContainerContext, Outcome, Script, command_line, klog
from .gpu_facts import architecture

PluginState = Literal["ready", "crashloop", "no_devices"]
_SOCKETS = "/var/lib/kubelet/device-plugins"
_STARTUP = 0.05  # the plugin logs its start-up at once
_REGISTER = 0.3


def matches(image: str) -> bool:
    names = ("k8s-device-plugin", "nvidia-gpu-device-plugin", "gpu-feature-discovery")
    return any(name in image for name in names)


def image_env(image: str) -> dict[str, str]:
    """NVIDIA's plugin and GFD images (deployments/container/Dockerfile); GKE's image sets none."""
    if "nvidia-gpu-device-plugin" in image:
        return {}
    return {"NVIDIA_DISABLE_REQUIRE": "true", "NVIDIA_VISIBLE_DEVICES": "all",
            "NVIDIA_DRIVER_CAPABILITIES": "compute,utility"}


def _is_gfd(ctx: ContainerContext) -> bool:
    words = [*command_line(ctx.container), str(ctx.container.get("image", ""))]
    return any("gpu-feature-discovery" in w for w in words)


def _is_gke(ctx: ContainerContext) -> bool:
    return "nvidia-gpu-device-plugin" in str(ctx.container.get("image", ""))


def plugin_state(ctx: ContainerContext) -> PluginState:
    node, setup = ctx.node, ctx.scenario.device_plugin
    declared = node.device_plugin if node is not None else "auto"
    if declared == "auto" and _is_gke(ctx):  # it reads the driver GKE installs on the host, through hostPath
        host = node.host if node is not None else None
        found = host is not None and host.driver_version is not None and bool(node and node.gpus)
        return "ready" if found else ("crashloop" if setup.fail_on_init_error else "no_devices")
    if declared == "auto":
        if ctx.driver_injected and ctx.visible_gpus:
            return "ready"
        return "crashloop" if setup.fail_on_init_error else "no_devices"
    if declared == "ready" and not (node is not None and node.gpus):
        return "no_devices"
    return declared


def mig_strategy(ctx: ContainerContext) -> str:
    node = ctx.node
    if node is not None and node.mig is not None:
        return node.mig.strategy
    return ctx.scenario.device_plugin.mig_strategy


def advertised(node: NodeSpec, strategy: str) -> tuple[tuple[str, int, int], ...]:
    """(resource, devices, healthy devices) the plugin registers for this node's GPUs.

    With sharing, every full GPU is ``replicas`` devices of ``nvidia.com/gpu`` (``nvidia.com/gpu.shared``
    with renameByDefault); a GPU marked Unhealthy after an XID error takes all its devices with it.
    """
    counts: dict[str, list[int]] = {}
    for gpu in node.gpus:
        devices: list[tuple[str, int]]
        if gpu.mig_devices and strategy == "mixed":
            devices = [(f"nvidia.com/mig-{device.profile}", 1) for device in gpu.mig_devices]
        elif gpu.mig_devices:
            devices = [("nvidia.com/gpu", len(gpu.mig_devices))]
        elif node.sharing is not None:
            devices = [(node.sharing.resource, node.sharing.replicas)]
        else:
            devices = [("nvidia.com/gpu", 1)]
        for name, count in devices:
            entry = counts.setdefault(name, [0, 0])
            entry[0] += count
            entry[1] += 0 if gpu.index in node.unhealthy_gpus else count
    return tuple((name, total, healthy) for name, (total, healthy) in sorted(counts.items()))


def _config_dump(ctx: ContainerContext) -> str:
    config = {"version": "v1", "flags": {
        "migStrategy": mig_strategy(ctx) if ctx.node is not None and ctx.node.mig else "none",
        "failOnInitError": ctx.scenario.device_plugin.fail_on_init_error, "nvidiaDriverRoot": "/",
        "gdsEnabled": False, "mofedEnabled": False,
        "plugin": {"passDeviceSpecs": False,
                   "deviceListStrategy": list(ctx.scenario.device_plugin.device_list_strategy),
                   "deviceIDStrategy": ctx.scenario.device_plugin.device_id_strategy,
                   "cdiAnnotationPrefix": "cdi.k8s.io/", "nvidiaCTKPath": "/usr/bin/nvidia-ctk",
                   "containerDriverRoot": "/driver-root"}},
        "resources": {"gpus": [{"pattern": "*", "name": "nvidia.com/gpu"}]},
        "sharing": _sharing_config(ctx.node.sharing if ctx.node is not None else None)}
    return json.dumps(config, indent=2) + "\n"


def _sharing_config(sharing: GpuSharing | None) -> dict[str, object]:
    """The ``sharing`` section as the plugin prints its config (renameByDefault fills in ``rename``)."""
    if sharing is None:
        return {"timeSlicing": {}}
    resource: dict[str, object] = {"name": "nvidia.com/gpu", "devices": "all", "replicas": sharing.replicas}
    if sharing.rename_by_default:
        resource["rename"] = sharing.resource
    replicated: dict[str, object] = {"renameByDefault": sharing.rename_by_default, "resources": [resource]}
    if sharing.strategy == "mps":
        return {"timeSlicing": {}, "mps": {**replicated, "failRequestsGreaterThanOne": True}}
    return {"timeSlicing": replicated}


def _log(*entries: tuple[str, str, str]) -> str:
    return "".join(klog(severity, where, message) for severity, where, message in entries)


_NON_TEGRA = ("I", "factory.go:107", "Detected non-Tegra platform: /sys/devices/soc0/family file not found")
_NVML = ("I", "factory.go:107", "Detected NVML platform: found NVML library")


def _nvidia_preamble(ctx: ContainerContext) -> str:
    return _log(
        ("I", "main.go:154", "Starting FS watcher."),
        ("I", "main.go:161", "Starting OS watcher."),
        ("I", "main.go:176", "Starting Plugins."),
        ("I", "main.go:234", "Loading configuration."),
        ("I", "main.go:242", "Updating config with default resource matching patterns."),
        ("I", "main.go:253", "\nRunning with config:"),
    ) + _config_dump(ctx) + _log(("I", "main.go:256", "Retrieving plugins."))


def _no_nvml(severity: str) -> str:
    return _log(
        ("W", "factory.go:31", "No valid resources detected, creating a null CDI handler"),
        ("I", "factory.go:107", "Detected non-NVML platform: could not load NVML library: libnvidia-ml.so.1: "
                                "cannot open shared object file: No such file or directory"),
        _NON_TEGRA,
        (severity, "factory.go:115", "Incompatible strategy detected auto"),
        (severity, "factory.go:116",
         "If this is a GPU node, did you configure the NVIDIA Container Toolkit?"),
        (severity, "factory.go:117", "You can check the prerequisites at: "
                                     "https://github.com/NVIDIA/k8s-device-plugin#prerequisites"),
        (severity, "factory.go:118", "You can learn how to set the runtime at: "
                                     "https://github.com/NVIDIA/k8s-device-plugin#quick-start"),
        (severity, "factory.go:119", "If this is not a GPU node, you should set up a toleration or "
                                     "nodeSelector to only deploy this plugin on GPU nodes"),
    )


def _socket(resource: str) -> str:
    return f"{_SOCKETS}/nvidia-{resource.split('/', 1)[1]}.sock"


def _nvidia_plugin(ctx: ContainerContext, state: PluginState) -> Script:
    preamble = _nvidia_preamble(ctx)
    if state == "crashloop":
        error = ("error starting plugins: error creating plugin manager: unable to create plugin manager: "
                 "invalid device discovery strategy")
        text = preamble + _no_nvml("E") + _log(("E", "main.go:123", error))
        return Script(steps=((_STARTUP, text),), exit_code=1)
    if state == "no_devices":
        detected = _log(_NVML) if ctx.driver_injected else _no_nvml("I")
        waiting = _log(("I", "main.go:287", "No devices found. Waiting indefinitely."))
        return Script(steps=((_STARTUP, preamble + detected + waiting),), exit_code=None)
    assert ctx.node is not None
    cdi_log, enumerated = _start(ctx)
    resources = advertised(ctx.node, mig_strategy(ctx))
    serving = "".join(_log(
        ("I", "server.go:165", f"Starting GRPC server for '{name}'"),
        ("I", "server.go:117", f"Starting to serve '{name}' on {_socket(name)}"),
        ("I", "server.go:125", f"Registered device plugin for '{name}' with Kubelet"),
    ) for name, _, _ in resources)
    steps = ((_STARTUP, preamble + _log(_NVML, _NON_TEGRA) + cdi_log), (_REGISTER, serving + _unhealthy(ctx.node)))
    return Script(steps=steps, exit_code=None, registers=resources, enumerated=enumerated)


def _unhealthy(node: NodeSpec) -> str:
    """What the plugin logs when NVML reports a critical Xid on a GPU (internal/rm/health.go, then server.go
    re-registering the device Unhealthy), for each GPU ``unhealthyGpus`` names."""
    lines = []
    for gpu in node.gpus:
        if gpu.index in node.unhealthy_gpus:
            lines += [("I", "health.go:169", f"XidCriticalError: Xid={node.unhealthy_xid} on Device={gpu.uuid}; "
                                             "marking device as unhealthy."),
                      ("I", "server.go:278", f"'{_resource(node)}' device marked unhealthy: {gpu.uuid}")]
    return _log(*lines)


def _resource(node: NodeSpec) -> str:
    return node.sharing.resource if node.sharing is not None else "nvidia.com/gpu"


def _logrus(message: str) -> str:
    """A line of logrus's text formatter (no terminal), as the plugin's CDI library logs."""
    return f'time="{time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}" level=info msg="{message}"\n'


def _start(ctx: ContainerContext) -> tuple[str, tuple[tuple[int, str], ...]]:
    """The plugin's start on its node (gpusim/plugin_start.py): the GPUs it enumerates, its spec on the host, the
    scenario's later host changes. Its log line for the spec."""
    node = ctx.node
    assert node is not None and node.host is not None
    setup = ctx.scenario.device_plugin
    enumerated = start_plugin(ctx.host_root, node, setup, ctx.visible_gpus,
                              mounted=mounts_host_cdi_root(ctx.pod.get("spec", {}), ctx.container),
                              first=ctx.history.plugin_starts(node.name), hook=cdi_hook(ctx.container))
    generating = uses_cdi(setup) and node.host.driver_version is not None
    return (_logrus(f"Generating CDI spec for resource: {PLUGIN_KIND}") if generating else ""), enumerated


def _gke_plugin(ctx: ContainerContext, state: PluginState) -> Script:
    start = klog("I", "nvidia_gpu.go:75", "device-plugin started")
    if state == "crashloop":
        fail = klog("E", "nvidia_gpu.go:86", "Failed to start GPU device manager: failed to find nvidia-smi "
                    "in the host installation of the NVIDIA driver")
        return Script(steps=((_STARTUP, start + fail),), exit_code=1)
    if state == "no_devices":
        return Script(steps=((_STARTUP, start + klog("I", "manager.go:168", "No GPUs found on the node")),),
                      exit_code=None)
    assert ctx.node is not None
    found = "".join(klog("I", "manager.go:239", f'Found Nvidia GPU "nvidia{g.index}"') for g in ctx.node.gpus)
    serve = (klog("I", "beta_plugin.go:40", "device-plugin: ListAndWatch start")
             + klog("I", "manager.go:420", "device-plugin registered with the kubelet"))
    return Script(steps=((_STARTUP, start + found), (_REGISTER, serve)), exit_code=None,
                  registers=advertised(ctx.node, mig_strategy(ctx)))


def gfd_labels(ctx: ContainerContext) -> tuple[tuple[str, str], ...]:
    """The node labels GPU Feature Discovery publishes for this node's ground truth."""
    node = ctx.node
    assert node is not None and node.host is not None and node.host.driver_version is not None
    gpu = node.gpus[0]
    family, major, minor, mig_capable = architecture(gpu.name)
    driver = node.host.driver_version.split(".")
    cuda_int = node.host.cuda_driver_version or driver_cuda_version(node.host.driver_version)
    cuda_major, cuda_minor = cuda_int // 1000, (cuda_int % 1000) // 10
    revision = driver[2] if len(driver) > 2 else ""
    strategy = mig_strategy(ctx) if node.mig is not None else "none"
    sharing = node.sharing
    # internal/lm/resource.go: "-SHARED" marks a replicated resource still named nvidia.com/gpu.
    shared_suffix = "-SHARED" if sharing is not None and not sharing.rename_by_default else ""
    labels = {
        "nvidia.com/gpu.present": "true", "nvidia.com/gpu.count": str(len(node.gpus)),
        "nvidia.com/gpu.product": gpu.name.replace(" ", "-") + shared_suffix,
        "nvidia.com/gpu.memory": str(gpu.memory_mib),
        "nvidia.com/gpu.family": family, "nvidia.com/gpu.compute.major": str(major),
        "nvidia.com/gpu.compute.minor": str(minor),
        "nvidia.com/gpu.replicas": str(sharing.replicas if sharing is not None else 1),
        "nvidia.com/cuda.driver-version.major": driver[0], "nvidia.com/cuda.driver-version.minor": driver[1],
        "nvidia.com/cuda.driver-version.revision": revision,
        "nvidia.com/cuda.driver-version.full": node.host.driver_version,
        "nvidia.com/cuda.driver.major": driver[0], "nvidia.com/cuda.driver.minor": driver[1],
        "nvidia.com/cuda.driver.rev": revision,
        "nvidia.com/cuda.runtime-version.major": str(cuda_major),
        "nvidia.com/cuda.runtime-version.minor": str(cuda_minor),
        "nvidia.com/cuda.runtime-version.full": f"{cuda_major}.{cuda_minor}",
        "nvidia.com/mig.capable": "true" if mig_capable else "false", "nvidia.com/mig.strategy": strategy,
    }
    if plugin_release(ctx.scenario.device_plugin.version) >= MPS_SINCE:  # the labels MPS support brought
        labels["nvidia.com/gpu.sharing-strategy"] = sharing.strategy if sharing is not None else "none"
        labels["nvidia.com/mps.capable"] = "true" if sharing is not None and sharing.strategy == "mps" else "false"
    return tuple(sorted(labels.items()))


def _gfd(ctx: ContainerContext) -> Script:
    start = _log(("I", "main.go:163", "Starting OS watcher."), ("I", "main.go:168", "Loading configuration."))
    if not ctx.visible_gpus:
        if ctx.scenario.device_plugin.fail_on_init_error:
            fail = _log(("E", "main.go:130", "error: failed to create resource manager: "
                                             "failed to initialize NVML: ERROR_LIBRARY_NOT_FOUND"))
            return Script(steps=((_STARTUP, start + fail),), exit_code=1)
        idle = _log(("I", "main.go:240", "No GPU devices found"))
        return Script(steps=((_STARTUP, start + idle),), exit_code=None)
    done = _log(("I", "main.go:287", "Creating Labels"),
                ("I", "output.go:82", "Writing labels to output file "
                                      "/etc/kubernetes/node-feature-discovery/features.d/gfd"))
    return Script(steps=((_STARTUP, start), (_REGISTER, done)), exit_code=None, node_labels=gfd_labels(ctx))


def run(ctx: ContainerContext) -> Outcome:
    if _is_gfd(ctx):
        return _gfd(ctx)
    state = plugin_state(ctx)
    return _gke_plugin(ctx, state) if _is_gke(ctx) else _nvidia_plugin(ctx, state)
