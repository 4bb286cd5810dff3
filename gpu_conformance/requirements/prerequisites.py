"""The tutorial's prerequisites (2.1 先决条件): Kubernetes, kubelet, driver, toolkit, default runtime."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from gpu_conformance.checks import (
    PRE_DRIVER,
    PRE_K8S_VERSION,
    PRE_KUBELET_VERSION,
    PRE_RUNTIME_DEFAULT,
    PRE_TOOLKIT,
    Check,
)
from gpu_conformance.facts.cluster import ApiVersion, PluginFacts, ProbeOutcome
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.node import NodeProbe, RuntimeConfig
from gpu_conformance.facts.runtime_wiring import default_wiring, dra_cdi_wiring, find_wiring
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.node.versions import (
    container_runtime,
    kubernetes_minor,
    kubernetes_version,
    release_tuple,
)
from gpu_conformance.requirements.driver_facts import (
    GFD_FULL,
    DriverLabel,
    gfd_driver,
    missing_driver,
    probe_driver,
    reading_errors,
)
from gpu_conformance.requirements.runtime_fixes import (
    BUILT_IN,
    POLICY_HINT,
    RUNTIME_CLASS_HINT,
    default_runtime_fix,
    enable_cdi_fix,
)
from gpu_conformance.requirements.wording import (
    at_least_or_unavailable,
    node_field,
    probe_unavailable,
    quoted,
    with_warning,
)
from gpu_conformance.settings import Settings
from gpu_conformance.verdict import Verdict


def _at_least(check: Check, found: str, version: str, source: str, minimum: str) -> Verdict:
    if at_least_or_unavailable(check, version, minimum, source):
        return Verdict.passed(check, found, source)
    return Verdict.failed(check, found, source, f">= {minimum}")


def _api_version(api: ApiVersion) -> str:
    """gitVersion's major.minor.patch, else /version's major and minor (``"28+"`` allowed)."""
    try:
        return ".".join(map(str, kubernetes_version(api.git_version)))
    except ValueError:
        pass
    try:
        return ".".join(map(str, kubernetes_minor(api.major, api.minor)))
    except ValueError as exc:
        raise FactsUnavailable(f"[{PRE_K8S_VERSION.id}] could not read the Kubernetes version at "
                               f"{api.source}: gitVersion {api.git_version!r}; {exc}") from None


def kubernetes_at_least(api: ApiVersion, settings: Settings) -> Verdict:
    found = f"{api.git_version} (major {api.major}, minor {api.minor})"
    return _at_least(PRE_K8S_VERSION, found, _api_version(api), api.source, settings.min_kubernetes)


def kubelet_at_least(node: GpuNode, settings: Settings) -> Verdict:
    source = node_field(node.name, "status.nodeInfo.kubeletVersion")
    try:
        version = ".".join(map(str, kubernetes_version(node.kubelet_version)))
    except ValueError as exc:
        raise FactsUnavailable(f"[{PRE_KUBELET_VERSION.id}] could not read the kubelet version at "
                               f"{source}: {exc}") from None
    return _at_least(PRE_KUBELET_VERSION, node.kubelet_version, version, source, settings.min_kubernetes)


def _same_version(a: str, b: str) -> bool:
    try:
        return release_tuple(a) == release_tuple(b)
    except ValueError:
        return a == b


def _label_disagrees(version: str, source: str, label: DriverLabel | None) -> str | None:
    if label is None or _same_version(version, label.version):
        return None
    return (f"GPU Feature Discovery label {label.labels} on {label.source} disagrees with {version} at "
            f"{source}; GFD relabels only when its pod runs again (delete the GFD pod on the node)")


def driver_at_least(outcome: ProbeOutcome, node: GpuNode, settings: Settings) -> Verdict:
    """The probe's best reading; no driver on the host fails; no reading at all falls back to GFD labels."""
    label = gfd_driver(node)
    reading = probe_driver(outcome.probe)
    if reading is not None and reading.value is not None:
        verdict = _at_least(PRE_DRIVER, reading.value, reading.value, reading.source, settings.min_driver)
        return with_warning(verdict, _label_disagrees(reading.value, reading.source, label))
    probe = outcome.probe
    nvml_said = missing_driver(probe) if probe is not None else None
    if probe is not None and nvml_said is not None:
        source = f"{probe.driver_nvml.source}, and {probe.driver_proc.source} ({probe.driver_proc.error})"
        found = f"no NVIDIA driver loaded: NVML said {quoted(nvml_said)}"
        return Verdict.failed(PRE_DRIVER, found, source, f"a driver >= {settings.min_driver}")
    why = outcome.error
    if probe is not None:
        why = f"the probe read no driver version ({reading_errors(probe)})"
    if label is None:
        raise probe_unavailable(PRE_DRIVER, outcome, "the driver version", why,
                                f"no GPU Feature Discovery driver label ({GFD_FULL}) on the node either")
    found = f"{label.version} from GPU Feature Discovery label {label.labels} (the probe failed: {why})"
    return _at_least(PRE_DRIVER, found, label.version, label.source, settings.min_driver)


def toolkit_at_least(outcome: ProbeOutcome, settings: Settings) -> Verdict:
    """The toolkit (or nvidia-docker2) as the probe found it; no API field or label shows it."""
    probe = outcome.probe
    if probe is None:
        raise probe_unavailable(PRE_TOOLKIT, outcome, "the NVIDIA Container Toolkit (no API field shows it)")
    toolkit, docker2 = probe.toolkit, probe.nvidia_docker2
    expected = f">= {settings.min_toolkit} (or nvidia-docker2 >= {settings.min_nvidia_docker})"
    found_toolkit = f"nvidia-container-toolkit {toolkit.value}"
    if toolkit.value is not None and toolkit.ok and at_least_or_unavailable(
            PRE_TOOLKIT, toolkit.value, settings.min_toolkit, toolkit.source):
        return Verdict.passed(PRE_TOOLKIT, found_toolkit, toolkit.source)
    if docker2.value is not None and docker2.ok and at_least_or_unavailable(
            PRE_TOOLKIT, docker2.value, settings.min_nvidia_docker, docker2.source):
        return Verdict.passed(PRE_TOOLKIT, f"nvidia-docker2 {docker2.value}", docker2.source)
    if toolkit.ok:
        return Verdict.failed(PRE_TOOLKIT, found_toolkit, toolkit.source, expected,
                              f"upgrade it: {PRE_TOOLKIT.remediation}")
    if docker2.ok:
        found = f"nvidia-docker2 {docker2.value} and no nvidia-container-toolkit ({toolkit.error})"
        return Verdict.failed(PRE_TOOLKIT, found, docker2.source, expected)
    found = f"no NVIDIA Container Toolkit ({toolkit.error})"
    return Verdict.failed(PRE_TOOLKIT, found, toolkit.source, expected)


def _describe_default(config: RuntimeConfig) -> str:
    name = config.default_runtime
    if name is None:
        return f"no default runtime set ({config.kind}'s built-in default, runc or crun by version)"
    origin = config.default_runtime_from
    origin = origin if origin == BUILT_IN else f"set in {origin}"
    entry = config.runtime(name)
    if entry is None:
        runs = "built in" if name in ("runc", "crun") else "which the configuration does not define"
        return f'default runtime "{name}", {runs} ({origin})'
    return f'default runtime "{name}" -> {entry.binary or "no binary set: runc"} ({origin})'


def _runtime_config(outcome: ProbeOutcome, node: GpuNode) -> tuple[NodeProbe, RuntimeConfig]:
    """The probe and its reading of the runtime the node really runs, or FactsUnavailable."""
    probe = outcome.probe
    if probe is None:
        raise probe_unavailable(PRE_RUNTIME_DEFAULT, outcome, "the container runtime's configuration")
    read = probe.runtime
    if not read.ok or read.value is None:
        raise FactsUnavailable(f"[{PRE_RUNTIME_DEFAULT.id}] could not read the container runtime "
                               f"configuration of node {node.name}: {read.error} at {read.source}")
    try:
        kind, _ = container_runtime(node.container_runtime_version)
    except ValueError:
        return probe, read.value  # the API does not say; the probe's detection stands
    if kind != read.value.kind:
        field = node_field(node.name, "status.nodeInfo.containerRuntimeVersion")
        raise FactsUnavailable(
            f"[{PRE_RUNTIME_DEFAULT.id}] the probe read {read.value.kind}'s configuration at {read.source}, "
            f"but {field} is {node.container_runtime_version}: the probe looked at the wrong runtime "
            f"({probe.runtime_kind.source})")
    return probe, read.value


def runtime_default(outcome: ProbeOutcome, node: GpuNode, runtime_classes: Mapping[str, str],
                    settings: Settings, plugin: PluginFacts | FactsUnavailable | None = None,
                    dra: bool = False) -> Verdict:
    """GPU pods reach nvidia-container-runtime: as the default (the tutorial), or under ``--runtime-policy auto``
    through native CDI or the RuntimeClass the plugin uses (facts/runtime_wiring.py); the message names which.
    Where NVIDIA's DRA driver serves the node (``dra``), its runtime must inject CDI devices too; on a node that
    advertises no extended resource that is all it needs.

    ``runtime_classes``: the cluster's RuntimeClasses, name -> handler; ``plugin``: the device plugin as found
    (None: not looked for), needed only when the default runtime is not NVIDIA's.
    """
    probe, config = _runtime_config(outcome, node)
    if not dra:
        return _plugin_wiring(probe, config, node, runtime_classes, settings, plugin)
    source = probe.runtime.source
    cdi, problem = dra_cdi_wiring(config, node.container_runtime_version)
    if cdi is None:
        return Verdict.failed(PRE_RUNTIME_DEFAULT, problem, source, "a container runtime that injects CDI devices "
                              "(containerd with enable_cdi, the default from 2.0; CRI-O)",
                              enable_cdi_fix(config, probe.host_root))
    if not node.advertises_extended_resource:
        return Verdict.passed(PRE_RUNTIME_DEFAULT, cdi.found, source)
    verdict = _plugin_wiring(probe, config, node, runtime_classes, settings, plugin)
    return replace(verdict, message=f"{verdict.message}; {cdi.found}") if verdict.ok else verdict


def _plugin_wiring(probe: NodeProbe, config: RuntimeConfig, node: GpuNode, runtime_classes: Mapping[str, str],
                   settings: Settings, plugin: PluginFacts | FactsUnavailable | None) -> Verdict:
    """How the device plugin's GPU pods reach nvidia-container-runtime on the node (runtime_default's first part)."""
    source = probe.runtime.source
    described = _describe_default(config)
    if isinstance(plugin, FactsUnavailable) and default_wiring(config, described) is None:
        raise FactsUnavailable(f"[{PRE_RUNTIME_DEFAULT.id}] the {described} is not NVIDIA's, and how the device "
                               f"plugin hands out GPUs is unknown: {plugin.message}")
    found_plugin = plugin if isinstance(plugin, PluginFacts) else None
    strategies = found_plugin.device_list_strategy if found_plugin is not None else ("envvar",)
    plugin_class = found_plugin.runtime_class if found_plugin is not None else None
    wiring, problem = find_wiring(config, node.container_runtime_version, runtime_classes, strategies, plugin_class,
                                  settings.runtime_policy, described)
    if wiring is not None and wiring.kind == "default":
        return Verdict.passed(PRE_RUNTIME_DEFAULT, described, source)
    if wiring is not None:
        allowed = f"allowed by --runtime-policy {settings.runtime_policy}"
        return Verdict.passed(PRE_RUNTIME_DEFAULT, f"{wiring.found}; the {described} is not NVIDIA's, {allowed}",
                              source)
    fix = default_runtime_fix(config, node.container_runtime_version, probe.host_root)
    expected = "a default runtime whose binary is nvidia-container-runtime"
    if settings.runtime_policy == "default":
        return Verdict.failed(PRE_RUNTIME_DEFAULT, described, source, expected, f"{fix}; {POLICY_HINT}")
    if settings.runtime_policy == "auto":
        expected += ", native CDI (the plugin's cdi-cri strategy with the runtime's CDI on)"
    return Verdict.failed(PRE_RUNTIME_DEFAULT, f"{described}, and {problem}", source,
                          f"{expected}, or RuntimeClass nvidia with a handler that runs it",
                          f"{fix}; {RUNTIME_CLASS_HINT}")
