"""Dynamic Resource Allocation's checks: NVIDIA's DRA driver replaces the device plugin's links."""

from __future__ import annotations

from . import tutorial_sections as sections
from .model import Check

# Dynamic Resource Allocation (resource.k8s.io, GA in Kubernetes 1.34): NVIDIA's DRA driver publishes each node's
# GPUs in ResourceSlices and pods claim them through ResourceClaims; these replace the device plugin's links.
DRA_HELM_INSTALL = (
    "`helm repo add nvidia https://helm.ngc.nvidia.com/nvidia && helm repo update && helm upgrade -i "
    "nvidia-dra-driver-gpu nvidia/nvidia-dra-driver-gpu --namespace nvidia-dra-driver-gpu --create-namespace "
    "--set nvidiaDriverRoot=/` (`--set nvidiaDriverRoot=/run/nvidia/driver` where the GPU Operator installs the "
    "driver)"
)
DRA_API = Check(
    "DRA-API", "dra", "resource.k8s.io served (v1, v1beta2 or v1beta1)",
    "the API server serves resource.k8s.io in a version the suite and NVIDIA's DRA driver speak: v1 (Kubernetes "
    ">= 1.34), v1beta2 (1.33) or v1beta1 (1.32)",
    "upgrade to Kubernetes >= 1.34 (DRA is GA there); on 1.32/1.33 enable the beta: kube-apiserver "
    "`--runtime-config=resource.k8s.io/v1beta1=true` (1.33: `resource.k8s.io/v1beta2=true`) and "
    "`--feature-gates=DynamicResourceAllocation=true` on the API server, scheduler, controller manager and kubelets",
    tutorial=sections.DRA,
    level="tutorial",
    gpu_request="dra",
)
DRA_DEVICECLASS = Check(
    "DRA-DEVICECLASS", "dra", "DeviceClass gpu.nvidia.com exists (and mig.nvidia.com with MIG)",
    "the DeviceClass gpu.nvidia.com that GPU claims name exists, and mig.nvidia.com where a node's ResourceSlices "
    "hold MIG devices",
    "install NVIDIA's DRA driver with its Helm chart, which creates the DeviceClasses: " + DRA_HELM_INSTALL,
    tutorial=sections.DRA,
    depends_on=("DRA-API",),
    level="tutorial",
    gpu_request="dra",
)
DRA_DRIVER_READY = Check(
    "DRA-DRIVER-READY", "dra", "DRA kubelet plugin Running and Ready on the node",
    "exactly one pod of NVIDIA's DRA kubelet-plugin DaemonSet (driver gpu.nvidia.com) runs on the GPU node, "
    "Running and Ready, not crash-looping",
    "`kubectl -n NAMESPACE logs POD -c gpus --previous` shows why it fails (the driver root: "
    "--set nvidiaDriverRoot); not installed: " + DRA_HELM_INSTALL,
    tutorial=sections.DRA,
    depends_on=("NODE-READY", "DRA-API", "PRE-DRIVER"),
    level="tutorial",
    gpu_request="dra",
)
DRA_SLICES_MATCH_GPUS = Check(
    "DRA-SLICES-MATCH-GPUS", "dra", "the node's ResourceSlices list exactly its GPUs",
    "the node's ResourceSlices of driver gpu.nvidia.com (every slice of the pool's newest generation present, per "
    "resourceSliceCount) list the GPUs the node's NVML sees: the same UUIDs, productName, and a driverVersion "
    "equal to the node's driver",
    "restart the DRA kubelet plugin pod on the node (`kubectl -n NAMESPACE delete pod POD`): it publishes the "
    "node's GPUs at start; `nvidia-smi -L` on the node lists the GPUs it has",
    severity="critical", tutorial=sections.DRA,
    depends_on=("DRA-DRIVER-READY", "PRE-DRIVER"),
    level="tutorial",
    gpu_request="dra",
)
DRA_DEVICES_HEALTHY = Check(
    "DRA-DEVICES-HEALTHY", "dra", "no GPU of the node tainted by the DRA driver",
    "no device of the node's ResourceSlices of driver gpu.nvidia.com carries a taint (the driver taints a GPU "
    "that reported a critical Xid error gpu.nvidia.com/xid:NoSchedule): claims are not allocated such devices",
    "`nvidia-smi -q -d ERROR` and `dmesg | grep -i xid` on the node show the error; reset the GPU "
    "(`nvidia-smi -r -i INDEX`) or drain the node and reboot it, then restart the DRA kubelet plugin pod there",
    severity="critical", tutorial=sections.DRA,
    depends_on=("DRA-DRIVER-READY",),  # a taint is the driver's word on a GPU, whatever else its slices say
    level="hardening",
    gpu_request="dra",
)
DRA_VECTORADD = Check(
    "DRA-VECTORADD", "dra", "vectoradd pod gets a GPU through a ResourceClaim and passes",
    "a pod claiming one device of DeviceClass gpu.nvidia.com through a ResourceClaimTemplate runs the CUDA vectoradd "
    "sample on the node and logs \"Test PASSED\", its claim allocated a device of the node's own ResourceSlices",
    "`kubectl describe pod` and `kubectl describe resourceclaim` of the vectoradd pod; fix the first failing check of "
    "the node (DRA-DRIVER-READY, DRA-SLICES-MATCH-GPUS, DRA-DEVICES-HEALTHY)",
    tutorial=sections.DRA,
    depends_on=("NODE-READY", "PRE-DRIVER", "DRA-DEVICECLASS", "DRA-DRIVER-READY", "DRA-SLICES-MATCH-GPUS"),
    level="tutorial",
    gpu_request="dra",
)

DRA_SECURE_ACCESS = Check(
    "DRA-SECURE-ACCESS", "dra", "only the container using a ResourceClaim sees its GPU",
    "as kubernetes-sigs/wg-ai-conformance TestSecureAcceleratorAccess, with the project's CUDA image: an unprivileged "
    "container using its pod's ResourceClaim of 1 GPU sees exactly the allocated device (the UUID of its slice's uuid "
    "attribute); a second container of that pod without resources.claims, and a pod without a claim, see no "
    "/dev/nvidiaN device file and no GPU in NVML",
    "run NVIDIA's DRA driver with CDI (its default) and the toolkit not accepting NVIDIA_VISIBLE_DEVICES from "
    "unprivileged containers (`accept-nvidia-visible-devices-envvar-when-unprivileged = false` in "
    "/etc/nvidia-container-runtime/config.toml); nvidia must not hand every GPU out as the default runtime",
    severity="critical", tutorial=sections.SECURE_ACCESS,
    depends_on=("NODE-READY", "DRA-DRIVER-READY", "DRA-SLICES-MATCH-GPUS"),
    level="hardening",
    gpu_request="dra",
)
