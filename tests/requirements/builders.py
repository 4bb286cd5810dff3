"""Facts built by hand for requirement tests, from the strings real tools and clusters give (FACTS.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from gpu_conformance.facts.cluster import PluginDaemonSet, PluginFacts, PluginPod, ProbeOutcome
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.gpu_nodes import gpu_node as read_node
from gpu_conformance.facts.node import (
    DevCharLink,
    FabricHost,
    GpuFabric,
    GpuInfo,
    NodeProbe,
    Observed,
    RuntimeConfig,
    RuntimeEntry,
)
from gpu_conformance.node.versions import driver_from_proc, toolkit_version

HOST = "/host"
NODE = "k8s-node05"
NVML_LIB = f"{HOST}/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1"
NVML_DRIVER = f"NVML nvmlSystemGetDriverVersion ({NVML_LIB})"
NVML_GPUS = (f"NVML nvmlDeviceGetCount, nvmlDeviceGetName, nvmlDeviceGetUUID, nvmlDeviceGetMemoryInfo "
             f"({NVML_LIB})")
PROC = f"{HOST}/proc/driver/nvidia/version"
SYS = f"{HOST}/sys/module/nvidia/version"
SMI = (f"{HOST}/usr/bin/nvidia-smi --query-gpu=index,uuid,name,driver_version,memory.total "
       "--format=csv,noheader,nounits")
CTK = f"{HOST}/usr/bin/nvidia-ctk --version"
CONTAINERD_TOML = f"{HOST}/etc/containerd/config.toml"
PROC_TEXT = ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\n"
             "GCC version:  gcc version 4.8.5 20150623 (Red Hat 4.8.5-44) (GCC)")
CTK_TEXT = "NVIDIA Container Toolkit CLI version 1.14.3\ncommit: d167812ce3a55ec04ae2582eff1654ec812f42e1"
RTX_4090 = (
    GpuInfo(0, "NVIDIA GeForce RTX 4090", "GPU-868d62cf-5637-84e5-a646-965aaaae698d", 25757220864),
    GpuInfo(1, "NVIDIA GeForce RTX 4090", "GPU-1b77a84d-ea51-9545-0551-a98179d2a5cf", 25757220864),
)
NVIDIA_RUNTIME = RuntimeEntry("nvidia", "/usr/bin/nvidia-container-runtime", "io.containerd.runc.v2")
TUTORIAL_CONTAINERD = RuntimeConfig(
    kind="containerd", default_runtime="nvidia", default_runtime_from=CONTAINERD_TOML,
    runtimes=(NVIDIA_RUNTIME,), handlers=("nvidia",), enable_cdi=None, files=(CONTAINERD_TOML,),
    config_version=2,
)
API_SOURCE = "GET https://127.0.0.1:6443/version"
NVML_FABRIC = f"NVML nvmlDeviceGetGpuFabricInfoV or nvmlDeviceGetGpuFabricInfo ({NVML_LIB})"
FABRIC_HOST = f"{HOST}/dev/nvidia-nvswitch* and {HOST}/proc/*/cmdline"
DEV_CHAR = f"{HOST}/proc/devices, {HOST}/proc/driver/nvidia/gpus/*/information and {HOST}/dev/char"
DEVICES = (("nvidia0", "195:0"), ("nvidia1", "195:1"), ("nvidiactl", "195:255"), ("nvidia-uvm", "510:0"),
           ("nvidia-uvm-tools", "510:1"))  # the driver's character devices on a two-GPU node, none linked


def missing(source: str, error: str) -> Observed[Any]:
    return Observed.missing(source, error)


def probe(**changes: Any) -> NodeProbe:
    """The seed node as the probe sees it: driver 535.104.05, two RTX 4090, toolkit 1.14.3."""
    proc_version = driver_from_proc(PROC_TEXT)
    _, ctk_version = toolkit_version(CTK_TEXT)
    healthy = NodeProbe(
        host_root=HOST, node=NODE,
        runtime_kind=Observed("containerd", "--runtime containerd://1.7.2"),
        driver_nvml=Observed("535.104.05", NVML_DRIVER),
        driver_proc=Observed(proc_version, PROC, excerpt=PROC_TEXT),
        driver_sys=Observed("535.104.05", SYS),
        driver_smi=Observed("535.104.05", SMI),
        cuda_driver_version=Observed(12020, f"NVML nvmlSystemGetCudaDriverVersion ({NVML_LIB})"),
        gpus=Observed(RTX_4090, NVML_GPUS),
        toolkit=Observed(ctk_version, CTK, excerpt=CTK_TEXT),
        toolkit_reads=(Observed(ctk_version, CTK),),
        nvidia_docker2=missing(f"{HOST}/var/lib/dpkg/status", "nvidia-docker2 not installed"),
        runtime=Observed(TUTORIAL_CONTAINERD, CONTAINERD_TOML),
        cdi_specs=Observed((), f"{HOST}/etc/cdi, {HOST}/var/run/cdi"),
        xid_events=Observed((), f"{HOST}/var/log/kern.log"),
        fabric_gpus=Observed(tuple(GpuFabric(g.uuid, "Not Supported", "") for g in RTX_4090), NVML_FABRIC),
        fabric_host=Observed(FabricHost((), (), None), FABRIC_HOST),
        dev_char=Observed(tuple(DevCharLink(name, number, None) for name, number in DEVICES), DEV_CHAR),
    )
    return replace(healthy, **changes)


def outcome(node_probe: NodeProbe | None = None, error: str | None = None, node: str = NODE,
            log_tail: str = "") -> ProbeOutcome:
    source = f"probe pod gpu-conformance/probe-{node}-x7k2p"
    return ProbeOutcome(node, node_probe, error, source, log_tail)


PULL_ERROR = ('probe image "ghcr.io/gpu-conformance/gpu-conformance:0.1.0" could not be pulled: '
              "ErrImagePull")


def failed_outcome(node: str = NODE) -> ProbeOutcome:
    return outcome(None, PULL_ERROR, node)


def gpu_node(name: str = NODE, gpus: int = 2, allocatable: int | None = None,
             labels: Mapping[str, str] | None = None, extra: Mapping[str, int] | None = None,
             taints: tuple[Mapping[str, str], ...] = (), kubelet: str = "v1.28.3",
             runtime: str = "containerd://1.7.2") -> GpuNode:
    """A GpuNode through the suite's own reading of a Node object, as the API serves it."""
    capacity = {"cpu": "16", "memory": "65843068Ki", "pods": "110", "nvidia.com/gpu": str(gpus)}
    capacity.update({k: str(v) for k, v in (extra or {}).items()})
    alloc = {**capacity, "nvidia.com/gpu": str(gpus if allocatable is None else allocatable)}
    node = {
        "metadata": {"name": name, "labels": {"gpu-node": "true", "kubernetes.io/hostname": name,
                                              **(labels or {})}},
        "spec": {"taints": list(taints)} if taints else {},
        "status": {
            "capacity": capacity, "allocatable": alloc,
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
            "addresses": [{"type": "InternalIP", "address": "127.0.10.5"}],
            "nodeInfo": {"kubeletVersion": kubelet, "containerRuntimeVersion": runtime},
        },
    }
    found = read_node(node, True)
    assert found is not None
    return found


STATIC_DS = PluginDaemonSet("kube-system", "nvidia-device-plugin-daemonset", 2, 2,
                            "nvcr.io/nvidia/k8s-device-plugin:v0.14.3")
CRASH_LOG = (
    "I0101 12:00:00.000000       1 main.go:256] Retrieving plugins.\n"
    "E0101 12:00:00.000000       1 factory.go:115] Incompatible strategy detected auto\n"
    "E0101 12:00:00.000000       1 factory.go:116] If this is a GPU node, did you configure the NVIDIA "
    "Container Toolkit?\n"
    "E0101 12:00:00.000000       1 main.go:123] error starting plugins: error creating plugin manager: "
    "unable to create plugin manager: invalid device discovery strategy\n"
)
NO_DEVICES_LOG = ("I0101 12:00:00.000000       1 main.go:256] Retrieving plugins.\n"
                  "I0101 12:00:00.000000       1 main.go:287] No devices found. Waiting indefinitely.\n")


def plugin_pod(node: str = NODE, ready: bool = True, restarts: int = 0, phase: str = "Running",
               waiting: str | None = None, last_exit: str | None = None, log: str = "",
               name: str = "nvidia-device-plugin-daemonset-w5kwg") -> PluginPod:
    return PluginPod("kube-system", name, node, phase, ready, restarts, waiting, last_exit, log)


def plugin(*pods: PluginPod, daemonsets: tuple[PluginDaemonSet, ...] = (STATIC_DS,)) -> PluginFacts:
    return PluginFacts("static manifest", "name=nvidia-device-plugin-ds", daemonsets, pods,
                       "DaemonSets and pods in all namespaces")
