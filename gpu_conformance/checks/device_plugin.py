"""The device plugin's checks: its DaemonSet deployed and ready on each GPU node."""

from __future__ import annotations

from . import tutorial_sections as sections
from .model import Check

PLUGIN_MANIFEST = "https://raw.githubusercontent.com/NVIDIA/k8s-device-plugin/v0.14.3/nvidia-device-plugin.yml"

PLUGIN_DEPLOYED = Check(
    "PLUGIN-DEPLOYED", "device-plugin", "NVIDIA device plugin DaemonSet deployed",
    "a DaemonSet runs the NVIDIA device plugin on the cluster's GPU nodes",
    f"`kubectl create -f {PLUGIN_MANIFEST}`, or for production Helm: `helm repo add nvdp "
    "https://nvidia.github.io/k8s-device-plugin && helm upgrade -i nvdp nvdp/nvidia-device-plugin "
    "--namespace nvidia-device-plugin --create-namespace`",
    tutorial=sections.DEPLOY,
    depends_on=("PRE-K8S-VERSION",),
    level="tutorial",
    gpu_request="device-plugin",
)
PLUGIN_DAEMONSET_READY = Check(
    "PLUGIN-DAEMONSET-READY", "device-plugin", "device plugin DaemonSet fully ready",
    "every pod the device plugin DaemonSet wants is Ready",
    "`kubectl -n NAMESPACE describe daemonset NAME` and `kubectl -n NAMESPACE get pods -o wide`: the nodes "
    "whose plugin pod is not Ready fail PLUGIN-POD-READY with the cause",
    severity="critical", tutorial=sections.DEPLOY,
    depends_on=("PLUGIN-DEPLOYED", "PLUGIN-POD-READY"),  # the DaemonSet is ready when each of its pods is
    level="tutorial",
    gpu_request="device-plugin",
)
PLUGIN_POD_READY = Check(
    "PLUGIN-POD-READY", "device-plugin", "device plugin pod Running and Ready on the node",
    "exactly one device plugin pod runs on each GPU node, Running and Ready "
    "(`kubectl get po -n kube-system -l name=nvidia-device-plugin-ds`: READY 1/1, STATUS Running)",
    "`kubectl -n NAMESPACE logs POD --previous` shows why it fails; the usual cause is the node's "
    "container runtime: see PRE-TOOLKIT and PRE-RUNTIME-DEFAULT for this node",
    tutorial=sections.DEPLOY,
    depends_on=("NODE-READY", "PLUGIN-DEPLOYED", "PRE-KUBELET-VERSION", "PRE-DRIVER", "PRE-RUNTIME-DEFAULT"),
    level="tutorial",
    gpu_request="device-plugin",
)
