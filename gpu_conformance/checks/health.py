"""The health checks: GPUs stay allocatable and the driver reports no critical Xid."""

from __future__ import annotations

from . import tutorial_sections as sections
from .model import Check

HEALTH_ALLOCATABLE = Check(
    "HEALTH-ALLOCATABLE", "health", "every advertised GPU is allocatable",
    "allocatable equals capacity for each of the node's GPU resources: the device plugin keeps a GPU in capacity "
    "but takes it out of allocatable once NVML reports a critical Xid on it, until the plugin restarts",
    "find the Xid on the node (`dmesg | grep -i xid`, `nvidia-smi -q -d ERROR`), reset the GPU (`nvidia-smi -r -i "
    "UUID`, with nothing running on it) or drain the node and reboot it, then delete the plugin pod so it "
    "registers the GPU healthy again",
    severity="critical", tutorial=sections.DEPLOY,
    depends_on=("CAPACITY-ADVERTISED",),
    level="tutorial",
    gpu_request="device-plugin",
)
HEALTH_XID = Check(
    "HEALTH-XID", "health", "no critical Xid on the node's GPUs",
    "the last Xid the node's exporter serves for each GPU (dcgm-exporter's DCGM_FI_DEV_XID_ERRORS), or where it "
    "serves none every Xid the driver logged in the host's kernel log, is none or an application error the device "
    "plugin ignores too (13, 31, 43, 45, 68, 109)",
    "look the Xid up in NVIDIA's Xid catalogue (https://docs.nvidia.com/deploy/xid-errors/) and `dmesg | grep -i "
    "xid` on the node; drain the node, reset the GPU (`nvidia-smi -r -i UUID`) or reboot, and have the board "
    "replaced when the Xid comes back (48, 79, 95: hardware)",
    severity="critical",
    tutorial=sections.MONITORING,
    depends_on=("MON-EXPORTER-UP",),
    level="hardening",
)
HEALTH_FABRIC = Check(
    "HEALTH-FABRIC", "health", "NVSwitch fabric initialised by the Fabric Manager",
    "on a node whose GPUs meet in NVSwitches (HGX/DGX: /dev/nvidia-nvswitch*, or NVML placing its GPUs on an NVLink "
    "fabric), the Fabric Manager (nv-fabricmanager) runs and NVML reports every GPU's fabric state Completed with "
    "status Success: until then every CUDA program fails with error 802 (cudaErrorSystemNotReady)",
    "install the Fabric Manager of exactly the driver's version (package nvidia-fabricmanager-<branch>, or the GPU "
    "Operator's driver container, which runs it) and `systemctl enable --now nvidia-fabricmanager`; "
    "`nvidia-smi -q | grep -A2 Fabric` then shows State Completed, Status Success",
    severity="blocker", tutorial=sections.PREREQUISITES,
    depends_on=("NODE-READY", "PRE-DRIVER"),
    level="tutorial",
)
HEALTH_CGROUP_DEVICES = Check(
    "HEALTH-CGROUP-DEVICES", "health", "GPU containers keep their devices across a systemd reload",
    "where a runtime that injects GPUs through the NVIDIA hook (nvidia-container-runtime) runs its containers under "
    "the systemd cgroup driver (containerd's SystemdCgroup = true, CRI-O's default cgroup_manager, docker's "
    "native.cgroupdriver=systemd), every NVIDIA character device has its "
    "/dev/char/<major>:<minor> symlink: otherwise the next `systemctl daemon-reload` takes the GPUs from running "
    "containers (\"Failed to initialize NVML: Unknown Error\", NVIDIA/nvidia-container-toolkit#48)",
    "`nvidia-ctk system create-dev-char-symlinks --create-all` on the node (toolkit >= 1.12.0), and at every boot: the "
    "udev rule /lib/udev/rules.d/71-nvidia-dev-char.rules `ACTION==\"add\", DEVPATH==\"/bus/pci/drivers/nvidia\", "
    "RUN+=\"/usr/bin/nvidia-ctk system create-dev-char-symlinks --create-all\"` (the GPU Operator's validator makes "
    "them itself); or run that runtime under cgroupfs (SystemdCgroup = false, with the kubelet's cgroupDriver: "
    "cgroupfs); pods that already lost their GPUs must be restarted",
    severity="critical", tutorial=sections.PREREQUISITES,
    depends_on=("NODE-READY", "PRE-DRIVER"),
    level="hardening",
)
