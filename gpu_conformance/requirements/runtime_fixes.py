"""How to make nvidia-container-runtime the default (or CDI on, for DRA), per container runtime, naming the file
to edit.

The wording follows the tutorial's config snippets and nvidia-ctk's ``runtime configure``; paths are
shown as on the node (the probe's host root prefix removed), since that is where the user edits them.
"""

from __future__ import annotations

from gpu_conformance.facts.node import RuntimeConfig
from gpu_conformance.facts.runtime_locations import (
    CONTAINERD_CONFIG,
    CRI_PLUGIN,
    CRIO_DROPIN_DIR,
    DOCKER_DAEMON_JSON,
    is_rancher_version,
)

NVIDIA_RUNTIME = "nvidia-container-runtime"
NVIDIA_BINARY = f"/usr/bin/{NVIDIA_RUNTIME}"
BUILT_IN = "built-in default"
CRIO_DROPIN = f"{CRIO_DROPIN_DIR}/99-nvidia.toml"
POLICY_HINT = ("on GPU Operator or CDI clusters, where pods reach the NVIDIA runtime through CDI or a RuntimeClass, "
               "run the suite with --runtime-policy auto (the default)")
RUNTIME_CLASS_HINT = ("or select it per pod: a RuntimeClass nvidia (`handler: nvidia`) whose handler the "
                      f"node's runtime defines with {NVIDIA_RUNTIME} as its binary")


def on_node(shown: str, host_root: str) -> str:
    """A path as the probe showed it (``/host/etc/x``) as it is on the node (``/etc/x``)."""
    root = host_root.rstrip("/")
    return shown[len(root):] if root and shown.startswith(root + "/") else shown


def _configure(runtime: str, service: str) -> str:
    return (f"or run `nvidia-ctk runtime configure --runtime={runtime} --set-as-default`; "
            f"then `systemctl restart {service}`")


def _containerd_settings(config: RuntimeConfig) -> str:
    plugin = CRI_PLUGIN[min(config.config_version or 1, 3)]
    table = "plugins.cri" if plugin == "cri" else f'plugins."{plugin}"'
    return (f'default_runtime_name = "nvidia" under [{table}.containerd] and BinaryName = "{NVIDIA_BINARY}" '
            f'under [{table}.containerd.runtimes.nvidia.options] (runtime_type = "io.containerd.runc.v2")')


def _containerd(config: RuntimeConfig, file: str) -> str:
    return f"in {file} set {_containerd_settings(config)}, {_configure('containerd', 'containerd')}"


def _rancher(config: RuntimeConfig, generated: str) -> str:
    rke2 = "/rke2/" in generated
    service = "rke2-server (rke2-agent on agents)" if rke2 else "k3s (k3s-agent on agents)"
    flag = "" if rke2 else ", or start k3s with --default-runtime nvidia"
    return (f"{generated} is generated at start: copy it to {generated}.tmpl and there set "
            f"{_containerd_settings(config)}{flag}; then `systemctl restart {service}`")


def _docker() -> str:
    return (f'in {DOCKER_DAEMON_JSON} set "default-runtime": "nvidia" with "runtimes": {{"nvidia": {{"path": '
            f'"{NVIDIA_BINARY}", "runtimeArgs": []}}}}, {_configure("docker", "docker")}')


def _crio(current: str | None) -> str:
    """A drop-in wins over crio.conf; when a drop-in already sets the default, that one is to edit."""
    where = f"in {current}" if current and current.startswith(CRIO_DROPIN_DIR) else f"in a drop-in {CRIO_DROPIN}"
    return (f'{where} set [crio.runtime] default_runtime = "nvidia" and [crio.runtime.runtimes.nvidia] '
            f'runtime_path = "{NVIDIA_BINARY}", runtime_type = "oci", {_configure("crio", "crio")}')


def enable_cdi_fix(config: RuntimeConfig, host_root: str) -> str:
    """How to make the node's runtime inject CDI devices itself, as NVIDIA's DRA driver needs."""
    if config.kind != "containerd":
        return ("run the node on containerd >= 1.7 with CDI on, or CRI-O: cri-dockerd does not pass CDI devices to "
                "Docker")
    main = on_node(config.files[0], host_root) if config.files else CONTAINERD_CONFIG
    plugin = CRI_PLUGIN[max(2, min(config.config_version or 2, 3))]
    return (f'in {main} set enable_cdi = true and cdi_spec_dirs = ["/etc/cdi", "/var/run/cdi"] under '
            f'[plugins."{plugin}"] (containerd >= 1.7; on by default from 2.0), then `systemctl restart containerd`')


def default_runtime_fix(config: RuntimeConfig, runtime_version: str, host_root: str) -> str:
    """The edit that makes nvidia the default, in the file that decides the default now."""
    current = None
    if config.default_runtime_from != BUILT_IN:
        current = on_node(config.default_runtime_from, host_root)
    if config.kind == "docker":
        return _docker()
    if config.kind == "cri-o":
        return _crio(current)
    main = on_node(config.files[0], host_root) if config.files else CONTAINERD_CONFIG
    if is_rancher_version(runtime_version.partition("://")[2]) or "/var/lib/rancher/" in main:
        return _rancher(config, main)
    return _containerd(config, current or main)
