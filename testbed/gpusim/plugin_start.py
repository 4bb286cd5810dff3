"""What the NVIDIA device plugin leaves on its node's host when it starts, and the host changes that follow.

With a CDI device list strategy the plugin (>= v0.14) saves its CDI spec, generated from the GPUs NVML shows it
then, to /var/run/cdi/k8s.device-plugin.nvidia.com-gpu.json in its container (cmd/nvidia-device-plugin/
plugin-manager.go ``GetPlugins`` -> internal/cdi/cdi.go ``CreateSpecFile``); the host has it only where the pod
mounts the host's /var/run/cdi there (``cdi-root``: the GPU Operator's DaemonSet, the Helm chart from v0.15.0).
After the node's first plugin start, the scenario's ``host.afterPluginStart`` changes happen (a file deleted, a
GPU replaced: that plugin keeps the old board's UUID in its spec and its advertised devices).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import hostroot  # noqa: F401  (before nvml, whose installer writes through hostroot's files)
from .cdi_spec import PLUGIN_SPEC, render_plugin_spec, stale_uuid
from .hostroot import render_host_root
from .hostroot.files import HostFiles
from .model import DevicePluginSetup, Gpu, NodeSpec, Scenario
from .nvml.install import library_dir
from .plugin_manifests import plugin_objects

CDI_ROOTS = ("/var/run/cdi", "/run/cdi")  # /var/run is /run on the host and in the plugin's image
DEFAULT_HOOK = "/usr/bin/nvidia-cdi-hook"


def mounts_host_cdi_root(pod_spec: Mapping[str, Any], container: Mapping[str, Any]) -> bool:
    """Does the container have the host's /var/run/cdi at /var/run/cdi (a hostPath volume)?"""
    volumes = {str(v.get("name")): v for v in pod_spec.get("volumes") or []}
    for mount in container.get("volumeMounts") or []:
        host_path = (volumes.get(str(mount.get("name"))) or {}).get("hostPath") or {}
        if str(mount.get("mountPath", "")).rstrip("/") in CDI_ROOTS and \
                str(host_path.get("path", "")).rstrip("/") in CDI_ROOTS:
            return True
    return False


def cdi_hook(container: Mapping[str, Any]) -> str:
    env = {str(e.get("name")): str(e.get("value", "")) for e in container.get("env") or []}
    return env.get("NVIDIA_CDI_HOOK_PATH", DEFAULT_HOOK)


def uses_cdi(setup: DevicePluginSetup) -> bool:
    return any(s.startswith("cdi-") for s in setup.device_list_strategy)


def start_plugin(root: Path | None, node: NodeSpec, setup: DevicePluginSetup, gpus: tuple[Gpu, ...], *,
                 mounted: bool, first: bool, hook: str = DEFAULT_HOOK) -> tuple[tuple[int, str], ...]:
    """The plugin starts on ``node`` seeing ``gpus``: its spec written under ``root`` when its pod ``mounted`` the
    host's /var/run/cdi, then, on the node's ``first`` plugin start, the later host changes. The GPUs it
    enumerated: (index, UUID as it read it)."""
    host = node.host
    assert host is not None
    replaced = first and host.after_plugin_start.gpus_replaced
    enumerated = tuple((g, stale_uuid(g) if replaced else g.uuid) for g in gpus)
    if uses_cdi(setup) and host.driver_version is not None and root is not None and mounted:
        spec = render_plugin_spec(enumerated, setup.device_id_strategy, host.driver_version, library_dir(node), hook)
        HostFiles(root).write(PLUGIN_SPEC, spec)
    if first and root is not None:
        for path in host.after_plugin_start.removed_files:
            (root / path.lstrip("/")).unlink(missing_ok=True)
    return tuple((g.index, gpu_uuid) for g, gpu_uuid in enumerated)


def render_started_host_root(scenario: Scenario, node: NodeSpec, root: Path) -> None:
    """``render_host_root``, then what the node's device plugin leaves there once it has started with every GPU
    of the node in view (a plugin that would not run there, or finds no GPU, leaves nothing): the host a settled
    cluster shows, for tests that read host roots without running one."""
    render_host_root(node, root)
    if node.host is None or node.host.driver_version is None or not node.gpus or \
            node.device_plugin in ("crashloop", "no_devices"):
        return
    for _, obj in plugin_objects(scenario):
        pod_spec = obj.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod_spec.get("containers") or []:
            words = [str(w) for w in [*(container.get("command") or []), *(container.get("args") or [])]]
            if "k8s-device-plugin" in str(container.get("image", "")) and \
                    not any("gpu-feature-discovery" in w for w in words):
                start_plugin(root, node, scenario.device_plugin, node.gpus,
                             mounted=mounts_host_cdi_root(pod_spec, container), first=True, hook=cdi_hook(container))
                return
