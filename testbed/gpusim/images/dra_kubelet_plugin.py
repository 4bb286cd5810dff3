"""NVIDIA's DRA driver image (nvcr.io/nvidia/k8s-dra-driver-gpu): the kubelet plugin pod's two programs.

The init container runs hack/kubelet-plugin-prestart.sh (kubernetes-sigs/dra-driver-nvidia-gpu v25.12.0): it
looks for nvidia-smi and libnvidia-ml.so.1 under the driver root the chart mounts from the host
(``nvidiaDriverRoot``), runs nvidia-smi, and leaves only on success; without a driver it logs its "Check
failed. Has the NVIDIA GPU driver been set up?" hint and retries every 10 s for ever, so the pod stays in
``Init:0/1`` (the simulation logs the first attempt only). The ``gpus`` container runs cmd/gpu-kubelet-plugin:
it logs NVML's devices as nvlib.go does, registers with the kubelet and publishes its ResourceSlice;
``dra: {plugin: crashloop}`` makes its NVML initialisation fail, and main.go prints the error chain and exits 1
(CrashLoopBackOff).

The driver counts as present where the host has a loaded driver and GPUs (the plugin sees the host's driver
through the driver-root mount, not through the runtime's injection: the chart sets NVIDIA_VISIBLE_DEVICES=void).
"""

from __future__ import annotations

import time

from ..dra_driver_manifests import DRIVER
from ..mig_names import mig_names
from .base import ContainerContext, Outcome, Script, command_line, klog

_PRESTART = "kubelet-plugin-prestart.sh"
_ROOT_LISTING = "bin  boot  dev  etc  home  lib  lib64  opt  proc  root  run  sbin  sys  tmp  usr  var"
_NVML_ERROR = ("Error: error creating driver: failed to create device library: failed to initialize NVML: "
               "error initializing NVML: ERROR_LIBRARY_NOT_FOUND\n")


def matches(image: str) -> bool:
    return "k8s-dra-driver-gpu" in image


def image_env(image: str) -> dict[str, str]:
    return {}


def run(ctx: ContainerContext) -> Outcome:
    if any(_PRESTART in word for word in command_line(ctx.container)):
        return _prestart(ctx)
    node = ctx.node
    if not _driver_found(ctx) or (node is not None and node.dra.plugin == "crashloop"):
        return Script(steps=((0.05, _NVML_ERROR),), exit_code=1)
    lines = [klog("I", "nvlib.go:205", "Traverse GPU devices")]
    for gpu in node.gpus if node is not None else ():
        if not gpu.mig_devices:
            lines.append(klog("I", "nvlib.go:281", f"Adding device gpu-{gpu.index} to allocatable devices"))
        lines.extend(klog("I", "nvlib.go:292", f"Adding MIG device {name} to allocatable devices (parent: "
                          f"gpu-{gpu.index})") for name in mig_names(gpu))
    return Script(steps=((0.05, "".join(lines)),), exit_code=None, dra_driver=DRIVER)


def _driver_found(ctx: ContainerContext) -> bool:
    node = ctx.node
    return node is not None and node.host is not None and node.host.driver_version is not None and bool(node.gpus)


def _driver_root(ctx: ContainerContext) -> str:
    setup = ctx.scenario.dra_driver
    return setup.driver_root if setup is not None else "/"


def _hints(root: str) -> str:
    """The script's hints for a driver root other than / (empty here: nothing is mounted there)."""
    if root == "/":
        return ""
    hints = f"Hint: Directory {root} on the host is empty\n"
    if root == "/run/nvidia/driver":
        hints += ("Hint: NVIDIA_DRIVER_ROOT is set to '/run/nvidia/driver' which typically means that the NVIDIA "
                  "GPU Operator manages the GPU driver. Make sure that the GPU Operator is deployed and healthy.\n")
    return hints


def _prestart(ctx: ContainerContext) -> Outcome:
    root = _driver_root(ctx)
    link = f"create symlink: /driver-root -> /driver-root-parent/{root.rstrip('/').rsplit('/', 1)[-1]}\n"
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    contents = _ROOT_LISTING if root == "/" else ""
    if _driver_found(ctx):
        smi, lib = "/driver-root/usr/bin/nvidia-smi", "/driver-root/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1"
        found = (f"{stamp}  /driver-root ({root} on host): nvidia-smi: '{smi}', libnvidia-ml.so.1: '{lib}', "
                 f"current contents: [{contents}].\ninvoke: env -i LD_PRELOAD={lib} {smi}\n"
                 "nvidia-smi returned with code 0: success, leave\n")
        return Script(steps=((0.02, link), (0.05, found)), exit_code=0)
    failed = (f"{stamp}  /driver-root ({root} on host): nvidia-smi: not found, libnvidia-ml.so.1: not found, "
              f"current contents: [{contents}].\n\n"
              "Check failed. Has the NVIDIA GPU driver been set up? It is expected to be installed under "
              f"NVIDIA_DRIVER_ROOT (currently set to '{root}') in the host filesystem. If that path appears to be "
              "unexpected: review the DRA driver's 'nvidiaDriverRoot' Helm chart variable. Otherwise, review if the "
              f"GPU driver has actually been installed under that path.\n{_hints(root)}\n")
    return Script(steps=((0.02, link), (0.05, failed)), exit_code=None, ready=False)
