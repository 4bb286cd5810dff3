"""The capacity checks: GPU nodes advertise their GPUs as an extended resource."""

from __future__ import annotations

from . import tutorial_sections as sections
from .model import Check

CAPACITY_GPU_NODES = Check(
    "CAPACITY-GPU-NODES", "capacity", "the cluster has GPU nodes",
    "at least one node (or --expected-gpu-nodes) advertises an NVIDIA GPU resource or publishes GPUs in "
    "ResourceSlices of driver gpu.nvidia.com (DRA); a node that looks like a GPU node (NFD/GFD labels, the "
    "tutorial's gpu-node=true, a device plugin or DRA kubelet-plugin pod) is one to check",
    "install the driver, toolkit and device plugin on the GPU nodes (tutorial 2.1 and 2.2); if they are "
    "labelled some other way, pass --gpu-node-selector; with --gpu-node, name nodes that exist",
    tutorial=sections.DEPLOY,
    level="tutorial",
)
CAPACITY_ADVERTISED = Check(
    "CAPACITY-ADVERTISED", "capacity", "node advertises nvidia.com/gpu",
    "the node's capacity and allocatable of its GPU resource are above 0 "
    "(`kubectl describe no NODE | grep gpu`: nvidia.com/gpu: 2)",
    "make the device plugin on the node see the GPUs (PRE-DRIVER, PRE-TOOLKIT, PRE-RUNTIME-DEFAULT), then "
    "delete its pod so it registers again with the kubelet",
    tutorial=sections.DEPLOY,
    depends_on=("PLUGIN-POD-READY",),
    level="tutorial",
    gpu_request="device-plugin",
)
CAPACITY_MATCHES_GPUS = Check(
    "CAPACITY-MATCHES-GPUS", "capacity", "advertised GPUs equal the node's GPUs",
    "the node's capacity counts as many GPUs as it really has (allocatable below it: HEALTH-ALLOCATABLE)",
    "make the plugin see every GPU: GPUs hidden from it (NVIDIA_VISIBLE_DEVICES, a MIG or sharing config naming "
    "others) are not registered; `nvidia-smi -L` on the node lists the GPUs it has",
    severity="critical", tutorial=sections.DEPLOY,
    depends_on=("CAPACITY-ADVERTISED",),
    level="tutorial",
    gpu_request="device-plugin",
)
