"""The prerequisites' checks: the node, Kubernetes, the driver, the container toolkit and runtime."""

from __future__ import annotations

from . import tutorial_sections as sections
from .model import Check

TOOLKIT_INSTALL = (
    "install nvidia-container-toolkit on the node: RHEL/CentOS `curl -s -L "
    "https://nvidia.github.io/libnvidia-container/stable/rpm/nvidia-container-toolkit.repo | "
    "sudo tee /etc/yum.repos.d/nvidia-container-toolkit.repo && "
    "sudo yum install -y nvidia-container-toolkit`; "
    "Debian/Ubuntu `curl -fsSL https://nvidia.github.io/libnvidia-container/gpgkey | sudo gpg --dearmor "
    "-o /usr/share/keyrings/nvidia-container-toolkit-keyring.gpg && curl -s -L "
    "https://nvidia.github.io/libnvidia-container/stable/deb/nvidia-container-toolkit.list | sed "
    "'s#deb https://#deb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] https://#g' | "
    "sudo tee /etc/apt/sources.list.d/nvidia-container-toolkit.list && sudo apt-get update && "
    "sudo apt-get install -y nvidia-container-toolkit`"
)

NODE_READY = Check(
    "NODE-READY", "prerequisites", "GPU node Ready",
    "the GPU node is Ready (its kubelet posts node status), so pods can run there; a cordon is reported, not "
    "failed (the gate holds nodes cordoned)",
    "the kubelet on the node is down or cannot reach the API server: on the node `systemctl status kubelet` and "
    "`journalctl -u kubelet`; `kubectl describe node NODE` shows the Ready condition and the node lifecycle taints",
    tutorial=sections.PREREQUISITES,
    level="tutorial",
)
PRE_K8S_VERSION = Check(
    "PRE-K8S-VERSION", "prerequisites", "Kubernetes >= {min_kubernetes}",
    "the API server runs Kubernetes {min_kubernetes} or newer (device plugins are beta from 1.10)",
    "upgrade the control plane to Kubernetes >= 1.10 (kubeadm: `kubeadm upgrade plan` then "
    "`kubeadm upgrade apply vX.Y.Z`, one minor version at a time)",
    tutorial=sections.PREREQUISITES,
    level="tutorial",
)
PRE_KUBELET_VERSION = Check(
    "PRE-KUBELET-VERSION", "prerequisites", "kubelet >= {min_kubernetes} on every GPU node",
    "each GPU node's kubelet is {min_kubernetes} or newer, so it serves the device plugin API",
    "upgrade the node's kubelet to >= 1.10 (drain it, install the newer kubelet package, "
    "`systemctl restart kubelet`, uncordon it)",
    severity="critical", tutorial=sections.PREREQUISITES,
    level="tutorial",
)
PRE_DRIVER = Check(
    "PRE-DRIVER", "prerequisites", "NVIDIA driver >= {min_driver}",
    "the NVIDIA driver is loaded on each GPU node, version {min_driver} or newer",
    "install or upgrade the NVIDIA driver on the node (the distribution's nvidia-driver package or NVIDIA's "
    "runfile), then reboot or `modprobe nvidia`; `nvidia-smi` must list the GPUs",
    tutorial=sections.PREREQUISITES,
    depends_on=("NODE-READY",),  # read by a probe pod on the node
    level="tutorial",
)
PRE_TOOLKIT = Check(
    "PRE-TOOLKIT", "prerequisites",
    "nvidia-container-toolkit >= {min_toolkit} (or nvidia-docker2 >= {min_nvidia_docker})",
    "the NVIDIA Container Toolkit {min_toolkit} or newer, or nvidia-docker {min_nvidia_docker} or newer, is "
    "installed on each GPU node",
    TOOLKIT_INSTALL, tutorial=sections.PREREQUISITES,
    depends_on=("NODE-READY",),
    level="tutorial",
)
PRE_RUNTIME_DEFAULT = Check(
    "PRE-RUNTIME-DEFAULT", "prerequisites", "nvidia-container-runtime is the default low-level runtime",
    "the node's container runtime starts containers with nvidia-container-runtime by default",
    "containerd: in /etc/containerd/config.toml set `default_runtime_name = \"nvidia\"` under "
    "[plugins.\"io.containerd.grpc.v1.cri\".containerd] with runtimes.nvidia options "
    "`BinaryName = \"/usr/bin/nvidia-container-runtime\"`, then `systemctl restart containerd`; docker: "
    "`\"default-runtime\": \"nvidia\"` and runtimes.nvidia.path \"/usr/bin/nvidia-container-runtime\" in "
    "/etc/docker/daemon.json, then `systemctl restart docker`",
    tutorial=sections.PREREQUISITES,
    depends_on=("NODE-READY", "PRE-TOOLKIT"),
    level="tutorial",
)
CDI_SPEC = Check(
    "CDI-SPEC", "prerequisites", "the device plugin's CDI spec lists the node's GPUs",
    "where the device plugin hands GPUs out as CDI devices (DEVICE_LIST_STRATEGY cdi-annotations or cdi-cri, the "
    "GPU Operator's default from v25.10), the spec it writes at start (kind k8s.device-plugin.nvidia.com/gpu, "
    "/var/run/cdi/k8s.device-plugin.nvidia.com-gpu.json) defines each GPU NVML sees, by the name the plugin asks "
    "for (its UUID, or its index under DEVICE_ID_STRATEGY index), and no GPU the node does not have",
    "restart the device plugin pod on the node: it writes its spec at start, from the GPUs it finds then; its "
    "DaemonSet must mount the host's /var/run/cdi (the Helm chart and the GPU Operator do), or the spec stays "
    "inside its container",
    tutorial=sections.PREREQUISITES,
    depends_on=("PRE-DRIVER", "PLUGIN-POD-READY"),
    level="tutorial",
    gpu_request="device-plugin",
)
