"""The simulated cluster's ground truth: what each node really is.

A scenario file is parsed into these frozen dataclasses (see ``scenario.py``). Everything the
simulation shows is derived from them: node objects in the API, files under each node's host
root, device-plugin behaviour, exporter responses, what a vectoradd container prints. The suite
under test never sees this model; it must rediscover it through the API, the host files and the
exporters, as it would on a real cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from .hardware import GpuHardware

RuntimeKind = Literal["containerd", "docker", "cri-o"]
RuntimeLayout = Literal["standard", "dropin", "k3s", "rke2"]
KernelModule = Literal["proprietary", "open"]
PluginStyle = Literal["static", "helm", "gpu-operator", "gke", "none"]
PluginHealth = Literal["auto", "ready", "crashloop", "no_devices"]
ExporterKind = Literal["nvidia_gpu_exporter", "dcgm-exporter", "none"]
ExporterHealth = Literal["healthy", "down", "hanging", "nvidia_smi_failing", "malformed", "wrong_gpu_count"]
MigStrategy = Literal["single", "mixed"]
ToolkitMode = Literal["auto", "legacy", "cdi"]
DeviceListStrategy = Literal["envvar", "volume-mounts", "cdi-annotations", "cdi-cri"]
DeviceIdStrategy = Literal["uuid", "index"]
CdiSpecState = Literal["current", "missing", "stale", "missing-gpu"]
TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
DraStyle = Literal["helm", "gpu-operator"]
DraPluginHealth = Literal["auto", "crashloop"]
FabricManagerState = Literal["running", "stopped", "missing"]
FabricState = Literal["completed", "in-progress", "not-started"]


@dataclass(frozen=True)
class ClusterVersion:
    """What ``/version`` answers; vendor forms such as minor ``"28+"`` are kept verbatim."""

    major: str
    minor: str
    git_version: str
    platform: str = "linux/amd64"


@dataclass(frozen=True)
class Taint:
    key: str
    effect: TaintEffect
    value: str = ""


@dataclass(frozen=True)
class MigDevice:
    """One MIG instance carved out of a GPU, e.g. profile ``1g.5gb``."""

    profile: str
    uuid: str


@dataclass(frozen=True)
class Gpu:
    index: int
    uuid: str  # "GPU-<8>-<4>-<4>-<4>-<12>", as NVML and nvidia-smi print it
    name: str  # "NVIDIA GeForce RTX 4090", "Tesla T4"
    memory_mib: int
    pci_bus_id: str  # "00000000:01:00.0"
    mig_devices: tuple[MigDevice, ...] = ()


@dataclass(frozen=True)
class Toolkit:
    """NVIDIA Container Toolkit on the host; ``version=None`` means not installed."""

    version: str | None
    # Which toolkit binaries exist under ``prefix`` (each prints its real --version text).
    binaries: tuple[str, ...] = (
        "nvidia-ctk",
        "nvidia-container-cli",
        "nvidia-container-runtime",
        "nvidia-container-runtime-hook",
        "nvidia-container-toolkit",
    )
    nvidia_docker2: str | None = None  # version of the legacy nvidia-docker2 package, if installed
    # With version None and nvidia_docker2 set: the 2018 nvidia-docker 2.0 stack, whose runtime and
    # hook came in their own packages, before nvidia-container-toolkit existed.
    prefix: str = "/usr/bin"  # where the binaries live; the GPU Operator installs to /usr/local/nvidia/toolkit
    # /etc/nvidia-container-runtime/config.toml (toolkit defaults: true, false, "auto").
    accept_envvar_unprivileged: bool = True  # accept-nvidia-visible-devices-envvar-when-unprivileged
    accept_volume_mounts: bool = False  # accept-nvidia-visible-devices-as-volume-mounts
    mode: ToolkitMode = "auto"  # nvidia-container-runtime.mode of the plain ``nvidia`` runtime
    # nvidia-container-runtime.modes.cdi.default-kind: the kind an NVIDIA_VISIBLE_DEVICES entry becomes in cdi
    # mode (the GPU Operator's toolkit sets management.nvidia.com/gpu).
    cdi_default_kind: str = "nvidia.com/gpu"
    # The toolkit container's CDI_ENABLED (nvidia-ctk-installer --cdi-enabled): at its start it writes the
    # management spec /var/run/cdi/management.nvidia.com-gpu.yaml (kind management.nvidia.com/gpu, device all).
    management_spec: bool = False

    @property
    def installed(self) -> bool:
        """Is there an NVIDIA runtime hook at all (the toolkit's, or the nvidia-docker 2.0 stack's)?"""
        return self.version is not None or self.nvidia_docker2 is not None


@dataclass(frozen=True)
class RuntimeSetup:
    """How the node's container runtime is configured, as declared truth.

    The files under the host root are rendered from this; the kubelet simulation reads this to
    decide whether a container gets the GPU driver injected.
    """

    kind: RuntimeKind
    layout: RuntimeLayout = "standard"
    config_version: int | None = 2  # containerd config.toml version (1, 2, 3); None: no version key
    default_runtime: str = "nvidia"  # the default low-level runtime's name ("runc" when not set up)
    handlers: tuple[str, ...] = ("nvidia",)  # runtime handlers defined besides runc
    nvidia_binary: str = "/usr/bin/nvidia-container-runtime"
    enable_cdi: bool | None = None  # the CRI plugin's enable_cdi; None: not in the file, the runtime's default
    # containerd: SystemdCgroup = true in the nvidia handlers' options (`nvidia-ctk runtime configure` copies runc's
    # options there): runc then leaves the containers' device rules to systemd
    systemd_cgroup: bool = False


@dataclass(frozen=True)
class CdiSetup:
    """The NVIDIA CDI spec on the host (``kind: nvidia.com/gpu``), as ``nvidia-ctk cdi generate`` or the GPU
    Operator writes it, and how it has drifted from the host: ``missing`` (never generated, or deleted),
    ``stale`` (generated before the GPUs were replaced: other UUIDs), ``missing-gpu`` (the last GPU absent)."""

    path: str = "/etc/cdi/nvidia.yaml"
    state: CdiSpecState = "current"


@dataclass(frozen=True)
class AfterPluginStart:
    """What changed on the host after the device plugin had started (and was not restarted): it writes its CDI
    spec only at start, and keeps advertising the GPUs it enumerated then. A restarted plugin sees the host as
    it is now."""

    removed_files: tuple[str, ...] = ()  # host paths deleted then (a cleanup of /var/run/cdi/*.json, say)
    gpus_replaced: bool = False  # each GPU swapped for another board (other UUID, same slot and minor)


@dataclass(frozen=True)
class FabricSetup:
    """An NVSwitch system (HGX/DGX): its GPUs' NVLinks meet in ``nvswitches`` switch chips, which the Fabric
    Manager daemon (nv-fabricmanager, the nvidia-fabricmanager service) must configure before CUDA can start.

    ``state`` is each GPU's fabric state as NVML reports it: ``completed`` once a running manager has trained the
    links and registered the GPUs, ``in-progress`` while it does, ``not-started`` without a running manager."""

    nvswitches: int = 4  # HGX H100: 4 third-generation NVSwitches; HGX A100: 6
    manager: FabricManagerState = "running"  # missing: the nvidia-fabricmanager package is not installed
    state: FabricState = "completed"

    @property
    def cuda_ready(self) -> bool:
        """CUDA initialises on an NVSwitch system only once its fabric is completed (cudaErrorSystemNotReady)."""
        return self.state == "completed"


@dataclass(frozen=True)
class HostState:
    """A GPU node's host: driver, toolkit, runtime configuration, plus verbatim extra files."""

    driver_version: str | None  # None: no driver loaded
    kernel_module: KernelModule = "proprietary"
    cuda_driver_version: int | None = None  # NVML's int form such as 12020; None: derived from driver
    toolkit: Toolkit = field(default_factory=lambda: Toolkit(version="1.14.3"))
    runtime: RuntimeSetup = field(default_factory=lambda: RuntimeSetup(kind="containerd"))
    # Extra or overriding files, path (absolute, as on the host) -> content. Rendered last.
    files: tuple[tuple[str, str], ...] = ()
    cdi: CdiSetup | None = None  # no nvidia-ctk CDI spec unless declared
    after_plugin_start: AfterPluginStart = field(default_factory=AfterPluginStart)
    fabric: FabricSetup | None = None  # None: no NVSwitch (PCIe GPUs, or NVLink bridges between pairs)
    # /dev/char/<major>:<minor> symlinks to the NVIDIA device nodes (`nvidia-ctk system create-dev-char-symlinks
    # --create-all`, its udev rule, or the GPU Operator's validator); the driver alone creates none
    dev_char_symlinks: bool = False
    daemon_reload_after: float | None = None  # seconds after start-up when `systemctl daemon-reload` runs here


@dataclass(frozen=True)
class MigSetup:
    strategy: MigStrategy


@dataclass(frozen=True)
class ExporterAnswer:
    """A fixed answer on the exporter's port, e.g. a proxy's HTML login page in front of it."""

    body: str
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    path: str | None = None  # only this path; None: every path


@dataclass(frozen=True)
class ExporterSetup:
    kind: ExporterKind = "nvidia_gpu_exporter"
    port: int = 9835
    health: ExporterHealth = "healthy"
    answer: ExporterAnswer | None = None
    # nvidia_gpu_exporter's --query-field-names as a list of nvidia-smi query fields; None: AUTO (every field)
    query_field_names: tuple[str, ...] | None = None


SharingStrategy = Literal["time-slicing", "mps"]


@dataclass(frozen=True)
class GpuSharing:
    """The device plugin's ``sharing`` config for ``nvidia.com/gpu`` (time-slicing or MPS replicas)."""

    strategy: SharingStrategy
    replicas: int  # >= 2, as the plugin's config demands
    rename_by_default: bool = False  # advertise nvidia.com/gpu.shared instead of nvidia.com/gpu

    @property
    def resource(self) -> str:
        return "nvidia.com/gpu.shared" if self.rename_by_default else "nvidia.com/gpu"


@dataclass(frozen=True)
class Workload:
    """A pod not created by the suite, already running on the node and holding some of its GPUs."""

    name: str
    namespace: str
    gpus: int


@dataclass(frozen=True)
class DraNodeSetup:
    """How NVIDIA's DRA kubelet plugin fares on one node (only where the scenario has a ``draDriver``).

    ``plugin``: ``auto`` runs as the host allows (the driver-root check of its init container, then NVML),
    ``crashloop`` fails NVML initialisation and exits. ``omit_gpus``: GPU indices missing from the published
    ResourceSlice; ``driver_version``: the driverVersion the slice states instead of the host's (a stale one)."""

    plugin: DraPluginHealth = "auto"
    omit_gpus: tuple[int, ...] = ()
    driver_version: str | None = None
    xid: int = 79  # the Xid the driver's health check saw on the node's unhealthy GPUs (79: fallen off the bus)


@dataclass(frozen=True)
class DraDriverSetup:
    """NVIDIA's DRA driver for GPUs (kubernetes-sigs/dra-driver-nvidia-gpu) as its Helm chart installs it
    with ``resources.computeDomains.enabled=false`` (the compute-domain side is not modelled).

    ``device_classes`` are the DeviceClasses present (the chart's three by default; a fault lists fewer);
    ``feature_gates`` its ``featureGates`` values (FEATURE_GATES), e.g. NVMLDeviceHealthCheck (off in v25.12)."""

    version: str = "v25.12.0"
    style: DraStyle = "helm"
    device_classes: tuple[str, ...] = ("gpu.nvidia.com", "mig.nvidia.com", "vfio.gpu.nvidia.com")
    feature_gates: tuple[tuple[str, bool], ...] = ()
    gpu_class_selector: str | None = None  # a CEL selector the cluster admin added to DeviceClass gpu.nvidia.com
    # Unhealthy devices stay in the slice with a device taint, as the project's later releases do
    # (kubernetes-sigs/dra-driver-nvidia-gpu v0.4.0 on, device_health.go healthEventToTaint), not v25.12.0,
    # which leaves them out: a switch of the test bed, not of the chart.
    device_taints: bool = False

    @property
    def namespace(self) -> str:
        return "gpu-operator" if self.style == "gpu-operator" else "nvidia-dra-driver-gpu"

    @property
    def driver_root(self) -> str:
        """The chart's ``nvidiaDriverRoot``: the GPU Operator's driver container mounts it at /run/nvidia/driver."""
        return "/run/nvidia/driver" if self.style == "gpu-operator" else "/"

    def gate(self, name: str) -> bool:
        return dict(self.feature_gates).get(name, False)


@dataclass(frozen=True)
class NodeSpec:
    name: str
    internal_ip: str  # always in 127.0.0.0/8; the loader assigns one when the file gives none
    roles: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    taints: tuple[Taint, ...] = ()
    unschedulable: bool = False
    ready: bool = True
    kubelet_version: str = "v1.28.3"
    container_runtime_version: str = "containerd://1.7.2"
    os_image: str = "Ubuntu 22.04.3 LTS"
    kernel_version: str = "5.15.0-88-generic"
    architecture: str = "amd64"
    cpu: str = "16"
    memory: str = "65843068Ki"
    pods: str = "110"
    gpus: tuple[Gpu, ...] = ()
    mig: MigSetup | None = None
    host: HostState | None = None  # None for nodes without NVIDIA hardware
    device_plugin: PluginHealth = "auto"
    exporter: ExporterSetup = field(default_factory=ExporterSetup)
    sharing: GpuSharing | None = None  # the device plugin's sharing config on this node
    unhealthy_gpus: tuple[int, ...] = ()  # GPU indices the plugin marked Unhealthy (an XID error)
    unhealthy_xid: int = 79  # the critical Xid NVML reported on them (79: GPU has fallen off the bus)
    workloads: tuple[Workload, ...] = ()  # other pods already holding GPUs here
    kubelet_stops_after: float | None = None  # seconds after start-up when the kubelet stops
    dra: DraNodeSetup = field(default_factory=lambda: DraNodeSetup())  # the DRA kubelet plugin's faults here
    hardware: GpuHardware = field(default_factory=GpuHardware)  # faulty GPU memory, a degraded PCIe link

    @property
    def has_gpus(self) -> bool:
        return bool(self.gpus)


@dataclass(frozen=True)
class DevicePluginSetup:
    style: PluginStyle = "static"
    version: str = "v0.14.3"
    fail_on_init_error: bool = True  # false: "No devices found. Waiting indefinitely." and Ready
    gfd: bool = False  # GPU Feature Discovery deployed beside the plugin (Helm chart, GPU Operator)
    mig_strategy: MigStrategy = "single"
    # DEVICE_LIST_STRATEGY: how Allocate hands devices to the runtime (several at once, as the GPU Operator's
    # "cdi-annotations,cdi-cri").
    device_list_strategy: tuple[DeviceListStrategy, ...] = ("envvar",)
    # DEVICE_ID_STRATEGY: how Allocate names devices (NVIDIA_VISIBLE_DEVICES, CDI names): by UUID or by index.
    device_id_strategy: DeviceIdStrategy = "uuid"
    # The plugin pods' runtimeClassName (the GPU Operator sets "nvidia"; None: the node's default runtime).
    runtime_class_name: str | None = None


@dataclass(frozen=True)
class RuntimeClassSpec:
    name: str
    handler: str


@dataclass(frozen=True)
class ApiFaults:
    latency_ms: int = 0
    throttle_ratio: float = 0.0  # share of requests answered 429 with Retry-After
    retry_after_seconds: int = 1
    error_ratio: float = 0.0  # share of requests answered 500/503
    drop_watch_after_seconds: float | None = None  # close watch streams after this long
    unreachable: bool = False  # the kubeconfig points at an address where nothing answers
    seed: int = 0  # makes the random faults repeatable


@dataclass(frozen=True)
class PodTiming:
    """``podTiming:`` entry: pull and run seconds of the images matching ``image`` (fnmatch); see pod_timing.py."""

    image: str
    pull_seconds: float | None = None
    run_seconds: float | None = None
    jitter_seconds: float = 0.0


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    version: ClusterVersion
    nodes: tuple[NodeSpec, ...]
    device_plugin: DevicePluginSetup = field(default_factory=DevicePluginSetup)
    runtime_classes: tuple[RuntimeClassSpec, ...] = ()
    api_faults: ApiFaults = field(default_factory=ApiFaults)
    # kube-controller-manager's --node-monitor-grace-period: a node whose kubelet stopped renewing its
    # Lease for this long is marked Ready=Unknown and tainted unreachable.
    node_monitor_grace_seconds: float = 40.0
    # Image references (fnmatch patterns) whose registry cannot be reached from the nodes.
    unreachable_images: tuple[str, ...] = ()
    pod_timing: tuple[PodTiming, ...] = ()  # pod_timing.py: pull and run seconds per image
    # kube-apiserver's --runtime-config ("resource.k8s.io/v1beta1", True); see gpusim.api.served.
    runtime_config: tuple[tuple[str, bool], ...] = ()
    dra_driver: DraDriverSetup | None = None  # None: no DRA driver installed
    # Where the scenario came from: a file path or "bundled:NAME"; used in error messages.
    source: str = ""

    @property
    def gpu_nodes(self) -> tuple[NodeSpec, ...]:
        return tuple(n for n in self.nodes if n.has_gpus)

    def node(self, name: str) -> NodeSpec:
        return self._nodes_by_name[name]

    @cached_property
    def _nodes_by_name(self) -> dict[str, NodeSpec]:
        return {n.name: n for n in self.nodes}
