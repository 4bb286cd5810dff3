"""CDI-SPEC: where the device plugin asks for CDI devices, the node's CDI spec defines exactly its GPUs.

The plugin (k8s-device-plugin >= v0.14, vendor ``k8s.device-plugin.nvidia.com``) asks the runtime for
``k8s.device-plugin.nvidia.com/gpu=<UUID>`` (``<index>`` under DEVICE_ID_STRATEGY index) and writes the spec
that defines them itself, at start, to /var/run/cdi/k8s.device-plugin.nvidia.com-gpu.json. A device the specs
do not define makes the container fail to start ("unresolvable CDI devices"); a spec written before the GPUs
changed names boards that are not there. Other kinds (the GPU Operator's ``management.nvidia.com/gpu``,
nvidia-ctk's ``nvidia.com/gpu``) serve other requests and are only named.
"""

from __future__ import annotations

from gpu_conformance.checks import CDI_SPEC
from gpu_conformance.facts.cluster import PluginFacts, ProbeOutcome
from gpu_conformance.facts.node import CdiSpec, GpuInfo
from gpu_conformance.facts.runtime_wiring import CDI_STRATEGIES
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.wording import probe_unavailable
from gpu_conformance.verdict import Verdict

PLUGIN_KIND = "k8s.device-plugin.nvidia.com/gpu"
_UUID_PREFIXES = ("GPU-", "MIG-")


def _expected_names(gpus: tuple[GpuInfo, ...], by_index: bool) -> list[str]:
    return [str(g.index) if by_index else g.uuid for g in gpus]


def _listed(names: list[str]) -> str:
    return ", ".join(names) if names else "none"


def _specs_found(specs: tuple[CdiSpec, ...]) -> str:
    unreadable = [f"{s.path} ({s.error})" for s in specs if s.error]
    others = [f"{s.path} (kind {s.kind})" for s in specs if not s.error and s.kind != PLUGIN_KIND]
    extra = [f"unreadable: {', '.join(unreadable)}"] if unreadable else []
    extra += [f"other kinds: {', '.join(others)}"] if others else []
    return f" ({'; '.join(extra)})" if extra else ""


def _fix(plugin: PluginFacts, node: str) -> str:
    """The check's remediation, naming the plugin pod to restart when there is one on the node."""
    pods = plugin.pods_on(node)
    if not pods:
        return CDI_SPEC.remediation
    return f"`kubectl -n {pods[0].namespace} delete pod {pods[0].name}`: {CDI_SPEC.remediation}"


def cdi_spec_lists_gpus(outcome: ProbeOutcome, plugin: PluginFacts | FactsUnavailable) -> Verdict:
    if isinstance(plugin, FactsUnavailable):
        raise FactsUnavailable(f"[{CDI_SPEC.id}] whether the device plugin uses CDI is unknown: {plugin.message}")
    strategies = plugin.device_list_strategy
    if not any(s in CDI_STRATEGIES for s in strategies):
        return Verdict.skipped(CDI_SPEC, f"the device plugin passes GPUs by DEVICE_LIST_STRATEGY "
                                         f"{','.join(strategies)}, not as CDI devices: no CDI spec is used")
    probe = outcome.probe
    if probe is None:
        raise probe_unavailable(CDI_SPEC, outcome, "the CDI specs")
    if not probe.gpus.ok or probe.gpus.value is None:
        raise probe_unavailable(CDI_SPEC, outcome, "the GPUs (to compare with the CDI specs)",
                                f"{probe.gpus.error} at {probe.gpus.source}")
    read = probe.cdi_specs
    if not read.ok or read.value is None:
        raise probe_unavailable(CDI_SPEC, outcome, "the CDI specs", f"{read.error} at {read.source}")
    by_index = any(d.device_id_strategy == "index" for d in plugin.daemonsets)
    expected = _expected_names(probe.gpus.value, by_index)
    naming = "index (DEVICE_ID_STRATEGY index)" if by_index else "UUID"
    wanted = f"a spec of kind {PLUGIN_KIND} defining each GPU NVML sees by {naming}: {_listed(expected)}"
    specs = [s for s in read.value if not s.error and s.kind == PLUGIN_KIND]
    if not specs:
        return Verdict.failed(CDI_SPEC, f"no CDI spec of kind {PLUGIN_KIND}{_specs_found(read.value)}", read.source,
                              wanted, _fix(plugin, outcome.node))
    defined = list(dict.fromkeys(name for s in specs for name in s.devices))
    missing = [name for name in expected if name not in defined]
    stale = [] if by_index else [n for n in defined if n.startswith(_UUID_PREFIXES) and n not in expected]
    paths = ", ".join(s.path for s in specs)
    uuids = [n for n in defined if n.startswith(_UUID_PREFIXES)] if not by_index else \
        [n for n in defined if n.isdigit()]
    found = f"{paths} defining {_listed(uuids)}"
    if not missing and not stale:
        return Verdict.passed(CDI_SPEC, found, read.source)
    problems = [f"missing {_listed(missing)}, which NVML sees"] if missing else []
    problems += [f"{_listed(stale)} not on this node (a stale spec)"] if stale else []
    return Verdict.failed(CDI_SPEC, f"{found}: {'; '.join(problems)}", read.source, wanted,
                          _fix(plugin, outcome.node))
