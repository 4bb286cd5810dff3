"""How GPU pods reach the NVIDIA runtime on one node: the wiring the cluster really uses, with its evidence.

Three wirings hand a container its GPUs, and each is correct:
- **default runtime** (the tutorial's): nvidia-container-runtime is the default low-level runtime, so every
  pod goes through it and GPU pods need nothing more;
- **CDI** (GPU Operator >= v25.10 and the plugin's ``cdi-cri`` strategy): the device plugin names CDI devices
  in the CRI request and the container runtime injects them itself from the spec files (containerd with CDI
  on, CRI-O always), under plain runc: NVIDIA's CDI documentation says nvidia should then NOT be the default;
- **RuntimeClass**: GPU pods name a RuntimeClass (the one the plugin's own pods use, else ``nvidia``) whose
  handler the node's runtime defines with nvidia-container-runtime as its binary.

A node whose GPUs NVIDIA's DRA driver hands out needs CDI whatever else holds: the driver returns CDI device names
to the kubelet, which passes them in the CRI request, and only a runtime that injects CDI devices itself (containerd
with CDI on, CRI-O) gives the container its GPU (``dra_cdi_wiring``).

Which one holds decides both PRE-RUNTIME-DEFAULT's verdict and which ``runtimeClassName`` the suite's GPU pods
carry, so it is derived once, here, from gathered facts only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from gpu_conformance.facts.node import RuntimeConfig, RuntimeEntry

NVIDIA_RUNTIME = "nvidia-container-runtime"
CDI_STRATEGIES = ("cdi-annotations", "cdi-cri")
WiringKind = Literal["default", "cdi", "runtimeclass"]


@dataclass(frozen=True)
class Wiring:
    """The wiring found on a node (None when none holds), the RuntimeClass GPU pods need, and why, in words."""

    kind: WiringKind | None
    runtime_class: str | None  # what GPU pods must name; None for the default runtime and native CDI
    found: str  # one line of evidence, e.g. 'RuntimeClass nvidia -> handler "nvidia" -> /usr/bin/...'


def is_nvidia(entry: RuntimeEntry | None) -> bool:
    """What makes a runtime NVIDIA's is its binary, whatever the runtime's name."""
    return entry is not None and entry.binary is not None and entry.binary.endswith(NVIDIA_RUNTIME)


def cdi_enabled(config: RuntimeConfig, runtime_version: str) -> bool:
    """Does the container runtime inject CDI devices itself? containerd: ``enable_cdi``, on by default from 2.0
    (config version 3); CRI-O: always; Docker under cri-dockerd: never for Kubernetes pods."""
    if config.kind == "cri-o":
        return True
    if config.kind != "containerd":
        return False
    if config.enable_cdi is not None:
        return config.enable_cdi
    major = re.match(r"\d+", runtime_version.partition("://")[2])
    return (config.config_version or 0) >= 3 or (major is not None and int(major.group()) >= 2)


def _cdi_setting(config: RuntimeConfig) -> str:
    if config.kind == "cri-o":
        return "CRI-O reads CDI specs itself"
    if config.enable_cdi is None:
        return f"{config.kind}'s CDI is on by default from 2.0"
    return f"{config.kind} has enable_cdi = true"


def _no_cdi(config: RuntimeConfig) -> str:
    if config.kind == "containerd":
        return "enable_cdi is off"
    return f"{config.kind} does not inject CDI devices for Kubernetes pods"


def dra_cdi_wiring(config: RuntimeConfig, runtime_version: str) -> tuple[Wiring | None, str]:
    """(the CDI wiring NVIDIA's DRA driver needs, or None and why not, in words)."""
    if cdi_enabled(config, runtime_version):
        return Wiring("cdi", None, f"NVIDIA's DRA driver hands GPUs out as CDI devices and {_cdi_setting(config)}"), ""
    return None, (f"NVIDIA's DRA driver hands GPUs out as CDI devices, but the node's {config.kind} does not inject "
                  f"them ({_no_cdi(config)})")


def default_wiring(config: RuntimeConfig, described_default: str) -> Wiring | None:
    if is_nvidia(config.runtime(config.default_runtime or "")):
        return Wiring("default", None, described_default)
    return None


def cdi_wiring(config: RuntimeConfig, runtime_version: str, strategies: tuple[str, ...]) -> Wiring | None:
    """The plugin hands CDI devices in the CRI request and the runtime injects them: no RuntimeClass needed."""
    if "cdi-cri" not in strategies or not cdi_enabled(config, runtime_version):
        return None
    found = (f"the device plugin names CDI devices in the CRI request (DEVICE_LIST_STRATEGY {','.join(strategies)}) "
             f"and {_cdi_setting(config)}")
    return Wiring("cdi", None, found)


def runtime_class_name(runtime_classes: Mapping[str, str], plugin_runtime_class: str | None) -> str | None:
    """The RuntimeClass GPU pods would use: the plugin pods' own, else ``nvidia``, if it exists."""
    for name in (plugin_runtime_class, "nvidia"):
        if name and name in runtime_classes:
            return name
    return None


def runtime_class_wiring(config: RuntimeConfig, runtime_classes: Mapping[str, str],
                         plugin_runtime_class: str | None) -> tuple[Wiring | None, str]:
    """(the RuntimeClass wiring, or None and why not, in words)."""
    name = runtime_class_name(runtime_classes, plugin_runtime_class)
    if name is None:
        wanted = f"RuntimeClass {plugin_runtime_class} (the plugin's) or nvidia" if plugin_runtime_class \
            else "RuntimeClass nvidia"
        return None, f"no {wanted} exists"
    handler = runtime_classes[name]
    entry = config.runtime(handler)
    if handler not in config.handlers or entry is None:
        defined = ", ".join(config.handlers) or "none"
        return None, (f'RuntimeClass {name} selects handler "{handler}", which the node\'s {config.kind} '
                      f"does not define (handlers: {defined})")
    if not is_nvidia(entry):
        return None, f'RuntimeClass {name}\'s handler "{handler}" runs {entry.binary or "runc"}'
    return Wiring("runtimeclass", name, f'RuntimeClass {name} -> handler "{handler}" -> {entry.binary}'), ""


def _cdi_problem(config: RuntimeConfig, runtime_version: str, strategies: tuple[str, ...]) -> str:
    if "cdi-cri" in strategies and not cdi_enabled(config, runtime_version):
        return (f"the device plugin names CDI devices in the CRI request (DEVICE_LIST_STRATEGY "
                f"{','.join(strategies)}), but the node's {config.kind} does not inject them (enable_cdi is off)")
    return f"the device plugin's DEVICE_LIST_STRATEGY is {','.join(strategies)}, not cdi-cri"


def find_wiring(config: RuntimeConfig, runtime_version: str, runtime_classes: Mapping[str, str],
                strategies: tuple[str, ...], plugin_runtime_class: str | None, policy: str,
                described_default: str) -> tuple[Wiring | None, str]:
    """The wiring the policy accepts on this node (None and why not, in words, when none holds).

    ``default`` accepts only the default runtime; ``runtimeclass`` also RuntimeClass nvidia; ``auto`` also
    native CDI and the RuntimeClass the plugin's pods use.
    """
    found = default_wiring(config, described_default)
    if found is not None or policy == "default":
        return found, ""
    if policy == "auto":
        cdi = cdi_wiring(config, runtime_version, strategies)
        if cdi is not None:
            return cdi, ""
        route, problem = runtime_class_wiring(config, runtime_classes, plugin_runtime_class)
        return route, problem and f"{_cdi_problem(config, runtime_version, strategies)}, and {problem}"
    return runtime_class_wiring(config, runtime_classes, None)


def gpu_pod_runtime_class(config: RuntimeConfig | None, runtime_version: str, runtime_classes: Mapping[str, str],
                          strategies: tuple[str, ...], plugin_runtime_class: str | None, policy: str) -> str | None:
    """The runtimeClassName the suite's GPU pods carry on this node: the one its wiring needs.

    ``runtimeclass`` always names RuntimeClass nvidia when it exists (as before ``auto``); ``auto`` names the
    wiring's RuntimeClass, or, with no runtime configuration read, the one the plugin's pods use.
    """
    if policy == "default":
        return None
    if policy == "runtimeclass":
        return "nvidia" if "nvidia" in runtime_classes else None
    if config is None:
        return plugin_runtime_class if plugin_runtime_class in runtime_classes else None
    wiring, _ = find_wiring(config, runtime_version, runtime_classes, strategies, plugin_runtime_class, policy, "")
    return wiring.runtime_class if wiring is not None else None
