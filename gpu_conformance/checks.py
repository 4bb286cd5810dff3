"""The checks as data: an id, what the tutorial requires, and how to fix it (kube-bench style).

Conformance tests and requirement functions refer to checks by these objects; the report and the
failure messages take their wording from here, so it is written once. Titles and requirements are
templates filled from the run's Settings (``{min_driver}``), so they state the thresholds the verdict
applies. ``depends_on`` names the checks whose failure explains this one's, as the tutorial chains them.
``level`` says whether the check is a link of the tutorial's chain (``tutorial``) or goes beyond it
(``hardening``); every entry chooses one (docs/adding-a-check.md says how).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from .settings import Settings

Area = Literal["prerequisites", "device-plugin", "capacity", "health", "dra", "workload", "isolation",
               "monitoring", "alert-rules"]
Severity = Literal["blocker", "critical", "normal", "minor"]
Level = Literal["tutorial", "hardening"]  # the tutorial's chain, or beyond it
LEVELS: tuple[Level, ...] = get_args(Level)
GpuRequest = Literal["device-plugin", "dra"]  # how pods ask for GPUs: extended resources, or ResourceClaims
GPU_REQUESTS: tuple[GpuRequest, ...] = get_args(GpuRequest)


@dataclass(frozen=True)
class Check:
    id: str  # stable, e.g. "PRE-DRIVER"
    area: Area
    title_template: str  # one line, e.g. "NVIDIA driver >= {min_driver}"
    requirement_template: str  # what must hold, in the tutorial's terms
    remediation: str  # the tutorial's step that fixes it
    severity: Severity = "blocker"
    tutorial: str = ""  # the tutorial's section, e.g. "2.1 先决条件"
    depends_on: tuple[str, ...] = ()  # ids of the checks this one cannot pass without
    level: Level = field(kw_only=True)  # no default: each entry says whether the tutorial's chain needs it
    # the way of requesting GPUs the check proves, when it proves one: its test is deselected on a cluster that
    # hands GPUs out the other way (--gpu-request); "any" checks hold either way
    gpu_request: GpuRequest | Literal["any"] = field(default="any", kw_only=True)

    def title_for(self, settings: Settings) -> str:
        """The title with the run's thresholds, e.g. "NVIDIA driver >= 535.0" under --min-driver 535.0."""
        return self.title_template.format_map(vars(settings))

    def requirement_for(self, settings: Settings) -> str:
        """What must hold, with the run's thresholds."""
        return self.requirement_template.format_map(vars(settings))


_PREREQUISITES = "2.1 先决条件"
_DEPLOY = "2.2 部署插件到k8s"
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
PLUGIN_MANIFEST = "https://raw.githubusercontent.com/NVIDIA/k8s-device-plugin/v0.14.3/nvidia-device-plugin.yml"

NODE_READY = Check(
    "NODE-READY", "prerequisites", "GPU node Ready",
    "the GPU node is Ready (its kubelet posts node status), so pods can run there; a cordon is reported, not "
    "failed (the gate holds nodes cordoned)",
    "the kubelet on the node is down or cannot reach the API server: on the node `systemctl status kubelet` and "
    "`journalctl -u kubelet`; `kubectl describe node NODE` shows the Ready condition and the node lifecycle taints",
    tutorial=_PREREQUISITES,
    level="tutorial",
)
PRE_K8S_VERSION = Check(
    "PRE-K8S-VERSION", "prerequisites", "Kubernetes >= {min_kubernetes}",
    "the API server runs Kubernetes {min_kubernetes} or newer (device plugins are beta from 1.10)",
    "upgrade the control plane to Kubernetes >= 1.10 (kubeadm: `kubeadm upgrade plan` then "
    "`kubeadm upgrade apply vX.Y.Z`, one minor version at a time)",
    tutorial=_PREREQUISITES,
    level="tutorial",
)
PRE_KUBELET_VERSION = Check(
    "PRE-KUBELET-VERSION", "prerequisites", "kubelet >= {min_kubernetes} on every GPU node",
    "each GPU node's kubelet is {min_kubernetes} or newer, so it serves the device plugin API",
    "upgrade the node's kubelet to >= 1.10 (drain it, install the newer kubelet package, "
    "`systemctl restart kubelet`, uncordon it)",
    severity="critical", tutorial=_PREREQUISITES,
    level="tutorial",
)
PRE_DRIVER = Check(
    "PRE-DRIVER", "prerequisites", "NVIDIA driver >= {min_driver}",
    "the NVIDIA driver is loaded on each GPU node, version {min_driver} or newer",
    "install or upgrade the NVIDIA driver on the node (the distribution's nvidia-driver package or NVIDIA's "
    "runfile), then reboot or `modprobe nvidia`; `nvidia-smi` must list the GPUs",
    tutorial=_PREREQUISITES,
    depends_on=("NODE-READY",),  # read by a probe pod on the node
    level="tutorial",
)
PRE_TOOLKIT = Check(
    "PRE-TOOLKIT", "prerequisites",
    "nvidia-container-toolkit >= {min_toolkit} (or nvidia-docker2 >= {min_nvidia_docker})",
    "the NVIDIA Container Toolkit {min_toolkit} or newer, or nvidia-docker {min_nvidia_docker} or newer, is "
    "installed on each GPU node",
    TOOLKIT_INSTALL, tutorial=_PREREQUISITES,
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
    tutorial=_PREREQUISITES,
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
    tutorial=_PREREQUISITES,
    depends_on=("PRE-DRIVER", "PLUGIN-POD-READY"),
    level="tutorial",
    gpu_request="device-plugin",
)
PLUGIN_DEPLOYED = Check(
    "PLUGIN-DEPLOYED", "device-plugin", "NVIDIA device plugin DaemonSet deployed",
    "a DaemonSet runs the NVIDIA device plugin on the cluster's GPU nodes",
    f"`kubectl create -f {PLUGIN_MANIFEST}`, or for production Helm: `helm repo add nvdp "
    "https://nvidia.github.io/k8s-device-plugin && helm upgrade -i nvdp nvdp/nvidia-device-plugin "
    "--namespace nvidia-device-plugin --create-namespace`",
    tutorial=_DEPLOY,
    depends_on=("PRE-K8S-VERSION",),
    level="tutorial",
    gpu_request="device-plugin",
)
PLUGIN_DAEMONSET_READY = Check(
    "PLUGIN-DAEMONSET-READY", "device-plugin", "device plugin DaemonSet fully ready",
    "every pod the device plugin DaemonSet wants is Ready",
    "`kubectl -n NAMESPACE describe daemonset NAME` and `kubectl -n NAMESPACE get pods -o wide`: the nodes "
    "whose plugin pod is not Ready fail PLUGIN-POD-READY with the cause",
    severity="critical", tutorial=_DEPLOY,
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
    tutorial=_DEPLOY,
    depends_on=("NODE-READY", "PLUGIN-DEPLOYED", "PRE-KUBELET-VERSION", "PRE-DRIVER", "PRE-RUNTIME-DEFAULT"),
    level="tutorial",
    gpu_request="device-plugin",
)
CAPACITY_GPU_NODES = Check(
    "CAPACITY-GPU-NODES", "capacity", "the cluster has GPU nodes",
    "at least one node (or --expected-gpu-nodes) advertises an NVIDIA GPU resource or publishes GPUs in "
    "ResourceSlices of driver gpu.nvidia.com (DRA); a node that looks like a GPU node (NFD/GFD labels, the "
    "tutorial's gpu-node=true, a device plugin or DRA kubelet-plugin pod) is one to check",
    "install the driver, toolkit and device plugin on the GPU nodes (tutorial 2.1 and 2.2); if they are "
    "labelled some other way, pass --gpu-node-selector; with --gpu-node, name nodes that exist",
    tutorial=_DEPLOY,
    level="tutorial",
)
CAPACITY_ADVERTISED = Check(
    "CAPACITY-ADVERTISED", "capacity", "node advertises nvidia.com/gpu",
    "the node's capacity and allocatable of its GPU resource are above 0 "
    "(`kubectl describe no NODE | grep gpu`: nvidia.com/gpu: 2)",
    "make the device plugin on the node see the GPUs (PRE-DRIVER, PRE-TOOLKIT, PRE-RUNTIME-DEFAULT), then "
    "delete its pod so it registers again with the kubelet",
    tutorial=_DEPLOY,
    depends_on=("PLUGIN-POD-READY",),
    level="tutorial",
    gpu_request="device-plugin",
)
CAPACITY_MATCHES_GPUS = Check(
    "CAPACITY-MATCHES-GPUS", "capacity", "advertised GPUs equal the node's GPUs",
    "the node's capacity counts as many GPUs as it really has (allocatable below it: HEALTH-ALLOCATABLE)",
    "make the plugin see every GPU: GPUs hidden from it (NVIDIA_VISIBLE_DEVICES, a MIG or sharing config naming "
    "others) are not registered; `nvidia-smi -L` on the node lists the GPUs it has",
    severity="critical", tutorial=_DEPLOY,
    depends_on=("CAPACITY-ADVERTISED",),
    level="tutorial",
    gpu_request="device-plugin",
)
HEALTH_ALLOCATABLE = Check(
    "HEALTH-ALLOCATABLE", "health", "every advertised GPU is allocatable",
    "allocatable equals capacity for each of the node's GPU resources: the device plugin keeps a GPU in capacity "
    "but takes it out of allocatable once NVML reports a critical Xid on it, until the plugin restarts",
    "find the Xid on the node (`dmesg | grep -i xid`, `nvidia-smi -q -d ERROR`), reset the GPU (`nvidia-smi -r -i "
    "UUID`, with nothing running on it) or drain the node and reboot it, then delete the plugin pod so it "
    "registers the GPU healthy again",
    severity="critical", tutorial=_DEPLOY,
    depends_on=("CAPACITY-ADVERTISED",),
    level="tutorial",
    gpu_request="device-plugin",
)
# Dynamic Resource Allocation (resource.k8s.io, GA in Kubernetes 1.34): NVIDIA's DRA driver publishes each node's
# GPUs in ResourceSlices and pods claim them through ResourceClaims; these replace the device plugin's links.
_DRA = "Dynamic Resource Allocation (kubernetes-sigs/dra-driver-nvidia-gpu)"
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
    tutorial=_DRA,
    level="tutorial",
    gpu_request="dra",
)
DRA_DEVICECLASS = Check(
    "DRA-DEVICECLASS", "dra", "DeviceClass gpu.nvidia.com exists (and mig.nvidia.com with MIG)",
    "the DeviceClass gpu.nvidia.com that GPU claims name exists, and mig.nvidia.com where a node's ResourceSlices "
    "hold MIG devices",
    "install NVIDIA's DRA driver with its Helm chart, which creates the DeviceClasses: " + DRA_HELM_INSTALL,
    tutorial=_DRA,
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
    tutorial=_DRA,
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
    severity="critical", tutorial=_DRA,
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
    severity="critical", tutorial=_DRA,
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
    tutorial=_DRA,
    depends_on=("NODE-READY", "PRE-DRIVER", "DRA-DEVICECLASS", "DRA-DRIVER-READY", "DRA-SLICES-MATCH-GPUS"),
    level="tutorial",
    gpu_request="dra",
)
WORKLOAD_VECTORADD = Check(
    "WORKLOAD-VECTORADD", "workload", "vectoradd pod gets a GPU and passes",
    "a pod limited to 1 nvidia.com/gpu runs the CUDA vectoradd sample on the node and logs \"Test PASSED\"",
    "`kubectl describe pod` and `kubectl logs` of the vectoradd pod; fix the first failing check of the node "
    "(PRE-*, PLUGIN-*, CAPACITY-*)",
    tutorial=_DEPLOY,
    depends_on=("NODE-READY", "PRE-DRIVER", "PRE-RUNTIME-DEFAULT", "CDI-SPEC", "PLUGIN-POD-READY",
                "CAPACITY-ADVERTISED"),
    level="tutorial",
    gpu_request="device-plugin",
)
WORKLOAD_DRIVER_FITS_IMAGE = Check(
    "WORKLOAD-DRIVER-FITS-IMAGE", "workload", "driver new enough for the vectoradd image's CUDA",
    "the node's driver is at least the minimum driver of the CUDA version the vectoradd image was built for "
    "(no vectoradd image runs on the tutorial's 384.81)",
    "upgrade the NVIDIA driver, or pass --vectoradd-image with a tag built for an older CUDA "
    "(nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cudaX.Y)",
    severity="minor", tutorial=_DEPLOY,
    depends_on=("PRE-DRIVER",),
    level="tutorial",
)

# Beyond the tutorial: CNCF AI Conformance's secure_accelerator_access, which the tutorial's own wiring breaks (the
# nvidia runtime as the default, the plugin's envvar strategy, the toolkit accepting NVIDIA_VISIBLE_DEVICES from
# unprivileged containers: any CUDA image then gets every GPU without asking).
_SECURE_ACCESS = "CNCF AI Conformance: secure_accelerator_access"
ISOLATION_FIX = (
    "on the node set `accept-nvidia-visible-devices-envvar-when-unprivileged = false` and "
    "`accept-nvidia-visible-devices-as-volume-mounts = true` in /etc/nvidia-container-runtime/config.toml and run the "
    "device plugin with `DEVICE_LIST_STRATEGY=volume-mounts` (Helm: `--set deviceListStrategy=volume-mounts`); or move "
    "to CDI (GPU Operator >= v25.10, or the plugin's cdi-cri strategy with the runtime's CDI enabled)"
)
SEC_NO_REQUEST_NO_GPU = Check(
    "SEC-NO-REQUEST-NO-GPU", "isolation", "a pod that asks for no GPU sees none",
    "an unprivileged pod of a CUDA image (NVIDIA_VISIBLE_DEVICES=all in the image, as the project's own image) that "
    "requests no GPU sees no /dev/nvidiaN device file and no GPU in NVML",
    ISOLATION_FIX, severity="critical", tutorial=_SECURE_ACCESS,
    depends_on=("NODE-READY",),  # seen from a pod on the node
    level="hardening",
)
SEC_ENV_NO_GPU = Check(
    "SEC-ENV-NO-GPU", "isolation", "NVIDIA_VISIBLE_DEVICES=all in a pod spec gets no GPU",
    "an unprivileged pod that requests no GPU but sets env NVIDIA_VISIBLE_DEVICES=all in its own spec sees no "
    "/dev/nvidiaN device file and no GPU in NVML: a pod's environment is no GPU request",
    ISOLATION_FIX, severity="critical", tutorial=_SECURE_ACCESS,
    depends_on=("NODE-READY",),
    level="hardening",
)
SEC_CONTAINER_ISOLATION = Check(
    "SEC-CONTAINER-ISOLATION", "isolation", "a container without a GPU request sees none of its pod's GPU",
    "in an unprivileged pod holding 1 GPU, a second container that requests none (NVIDIA_VISIBLE_DEVICES empty, as "
    "in a non-CUDA image) sees no GPU device file and no GPU in NVML, while the holder sees exactly one",
    ISOLATION_FIX, severity="critical", tutorial=_SECURE_ACCESS,
    depends_on=("NODE-READY", "CAPACITY-ADVERTISED", "CDI-SPEC"),  # the holder needs a GPU it can be given
    level="hardening",
    gpu_request="device-plugin",
)
SEC_POD_ISOLATION = Check(
    "SEC-POD-ISOLATION", "isolation", "two pods holding a GPU each see different GPUs",
    "on a node with 2 or more allocatable GPUs, two unprivileged pods holding 1 GPU each at the same time see exactly "
    "one GPU each, with different UUIDs",
    ISOLATION_FIX + "; GPU sharing (time-slicing, MPS) gives pods the same GPU by design: keep pods that must not "
    "share on nodes without it",
    severity="critical", tutorial=_SECURE_ACCESS,
    depends_on=("NODE-READY", "CAPACITY-ADVERTISED", "CDI-SPEC"),
    level="hardening",
    gpu_request="device-plugin",
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
    severity="critical", tutorial=_SECURE_ACCESS,
    depends_on=("NODE-READY", "DRA-DRIVER-READY", "DRA-SLICES-MATCH-GPUS"),
    level="hardening",
    gpu_request="dra",
)

_MONITORING = "三、Prometheus监控GPU"
MON_EXPORTER_UP = Check(
    "MON-EXPORTER-UP", "monitoring", "GPU exporter answers on the node",
    "the node's GPU exporter (nvidia_gpu_exporter on :9835, or dcgm-exporter on :9400) answers GET /metrics "
    "with HTTP 200 and a Prometheus text body",
    "run the exporter on the node (tutorial: `/usr/local/gpu-exporter/nvidia_gpu_exporter &`; better a systemd "
    "unit or a DaemonSet) listening on :9835 and reachable from Prometheus: `curl http://NODE_IP:9835/metrics`; "
    "for another exporter pass --exporter-url (e.g. http://{ip}:9400/metrics) or --exporter-selector",
    severity="critical", tutorial=_MONITORING,
    depends_on=("NODE-READY",),
    level="tutorial",
)
MON_EXPORTER_GPUS = Check(
    "MON-EXPORTER-GPUS", "monitoring", "GPU exporter reports every GPU of the node",
    "the exporter reports one series per GPU of the node (distinct uuid/UUID labels), as many as the node has",
    "`nvidia-smi` must succeed on the node (nvidia_gpu_exporter runs it on every scrape; when it fails only "
    "nvidia_smi_failed_scrapes_total and nvidia_smi_command_exit_code remain); `nvidia-smi -L` lists the GPUs "
    "the exporter should see; restart the exporter after GPU or driver changes",
    severity="critical", tutorial=_MONITORING,
    depends_on=("MON-EXPORTER-UP", "PRE-DRIVER"),
    level="tutorial",
)
MON_EXPORTER_DRIVER = Check(
    "MON-EXPORTER-DRIVER", "monitoring", "GPU exporter's driver version is the node's",
    "where the exporter reports driver_version, it equals the driver loaded on the node",
    "the exporter sees another driver than the node loads: restart it after a driver upgrade (and reboot the "
    "node if the old kernel module is still loaded), and check that --exporter-url reaches this node's exporter",
    severity="normal", tutorial=_MONITORING,
    depends_on=("MON-EXPORTER-UP", "PRE-DRIVER"),
    level="tutorial",
)


MON_PROM_CONFIG_VALID = Check(
    "MON-PROM-CONFIG-VALID", "monitoring", "prometheus.yml passes promtool check config",
    "the Prometheus configuration given with --prometheus-config loads (`promtool check config FILE`)",
    "fix the line promtool names (the tutorial writes `lables:` where Prometheus reads `labels:`); see "
    "monitoring/prometheus/gpu-scrape.yml for a corrected scrape job",
    severity="critical", tutorial=_MONITORING,
    level="tutorial",
)
MON_PROM_TARGETS = Check(
    "MON-PROM-TARGETS", "monitoring", "every GPU node's exporter is a scrape target",
    "each GPU node's exporter address (--exporter-url) is a target of some scrape job in prometheus.yml",
    "add `'ADDRESS:9835'` to the `targets:` of the gpu-exporter job's static_configs (tutorial: "
    "在prometheus.yml中添加exporter地址), then reload Prometheus (`kill -HUP` or POST /-/reload)",
    severity="critical", tutorial=_MONITORING,
    depends_on=("MON-PROM-CONFIG-VALID",),
    level="tutorial",
)
MON_PROM_LIVE_TARGETS_UP = Check(
    "MON-PROM-LIVE-TARGETS-UP", "monitoring", "Prometheus scrapes every GPU node's exporter",
    "the live Prometheus (--prometheus-url) lists each GPU node's exporter in /api/v1/targets with health up",
    "open Prometheus' Status > Targets page: a missing target needs the scrape job (MON-PROM-TARGETS) and a "
    "reload; a down one shows lastError (exporter not running, firewall, wrong port)",
    severity="critical", tutorial=_MONITORING,
    depends_on=("MON-PROM-TARGETS", "MON-EXPORTER-UP"),
    level="tutorial",
)
MON_PROM_LIVE_RULES = Check(
    "MON-PROM-LIVE-RULES", "monitoring", "Prometheus has the GPU alert rules loaded and healthy",
    "the live Prometheus lists the GPU alert rule groups in /api/v1/rules, each rule with health ok",
    "list the rule file under `rule_files:` in prometheus.yml, `promtool check rules` it, reload Prometheus; "
    "a rule with health err shows lastError on Status > Rules",
    severity="normal", tutorial=_MONITORING,
    depends_on=("MON-PROM-CONFIG-VALID", "RULES-VALID"),
    level="tutorial",
)
RULES_VALID = Check(
    "RULES-VALID", "alert-rules", "alert rule files pass promtool check rules",
    "every rule file (--alert-rules; default: the bundled monitoring/rules/gpu-alerts.yml) loads in Prometheus",
    "fix what `promtool check rules FILE` reports (field names, PromQL syntax, durations)",
    severity="critical", tutorial=_MONITORING,
    level="tutorial",
)
RULES_UNIT_TESTS = Check(
    "RULES-UNIT-TESTS", "alert-rules", "alert rule unit tests pass",
    "`promtool test rules` passes for the bundled rule tests and every --alert-rule-tests file",
    "read promtool's FAILED lines: expected alerts that did not fire (exp) against what fired (got)",
    severity="normal", tutorial=_MONITORING,
    depends_on=("RULES-VALID",),
    level="tutorial",
)
RULES_CAN_FIRE = Check(
    "RULES-CAN-FIRE", "alert-rules", "every alert can fire and can resolve",
    "driving each metric an alert reads across its physical range (ratios 0..1, percent 0..100, °C, bytes up "
    "to the GPU's memory) makes the alert fire somewhere and stay quiet somewhere",
    "compare the threshold in the metric's unit: nvidia_gpu_exporter's *_ratio metrics are 0..1 (> 0.9, not "
    "> 90), DCGM's *_UTIL are 0..100; see monitoring/rules/gpu-alerts.yml",
    tutorial=_MONITORING,
    depends_on=("RULES-VALID",),
    level="tutorial",
)
RULES_METRICS_EXIST = Check(
    "RULES-METRICS-EXIST", "alert-rules", "every metric an alert reads is served by the GPU exporters",
    "each metric an alert expression reads appears in what the GPU nodes' exporters serve",
    "write rules for the exporter you run: nvidia_gpu_exporter serves nvidia_smi_*, dcgm-exporter serves "
    "DCGM_FI_DEV_*; rules for one never fire on the other",
    tutorial=_MONITORING,
    depends_on=("RULES-VALID", "MON-EXPORTER-UP"),
    level="tutorial",
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
    tutorial=_MONITORING,
    depends_on=("MON-EXPORTER-UP",),
    level="hardening",
)
CHECKS: tuple[Check, ...] = (
    NODE_READY, PRE_K8S_VERSION, PRE_KUBELET_VERSION, PRE_DRIVER, PRE_TOOLKIT, PRE_RUNTIME_DEFAULT, CDI_SPEC,
    PLUGIN_DEPLOYED, PLUGIN_DAEMONSET_READY, PLUGIN_POD_READY,
    CAPACITY_GPU_NODES, CAPACITY_ADVERTISED, CAPACITY_MATCHES_GPUS, HEALTH_ALLOCATABLE, HEALTH_XID,
    DRA_API, DRA_DEVICECLASS, DRA_DRIVER_READY, DRA_SLICES_MATCH_GPUS, DRA_DEVICES_HEALTHY, DRA_VECTORADD,
    WORKLOAD_VECTORADD, WORKLOAD_DRIVER_FITS_IMAGE,
    SEC_NO_REQUEST_NO_GPU, SEC_ENV_NO_GPU, SEC_CONTAINER_ISOLATION, SEC_POD_ISOLATION, DRA_SECURE_ACCESS,
    MON_EXPORTER_UP, MON_EXPORTER_GPUS, MON_EXPORTER_DRIVER,
    MON_PROM_CONFIG_VALID, MON_PROM_TARGETS, MON_PROM_LIVE_TARGETS_UP, MON_PROM_LIVE_RULES,
    RULES_VALID, RULES_UNIT_TESTS, RULES_CAN_FIRE, RULES_METRICS_EXIST,
)
_BY_ID = {check.id: check for check in CHECKS}


def by_id(check_id: str) -> Check:
    """The check with this id; KeyError naming the known ids otherwise."""
    try:
        return _BY_ID[check_id]
    except KeyError:
        raise KeyError(f"unknown check {check_id!r} (known: {', '.join(_BY_ID)})") from None
