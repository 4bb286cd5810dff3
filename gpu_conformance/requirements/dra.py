"""Dynamic Resource Allocation: the API served, NVIDIA's DeviceClasses, its kubelet plugin Ready on each GPU node,
the node's ResourceSlices listing exactly the GPUs the probe saw, and none of them tainted.

The slices are compared with NVML on the node: a MIG device counts for its parent GPU (``parentUUID``), and the
driver publishes ``driverVersion`` as a semantic version (535.104.5 for NVIDIA's 535.104.05), so versions are
compared by their numbers.
"""

from __future__ import annotations

import re

from gpu_conformance.checks import (
    DRA_API,
    DRA_DEVICECLASS,
    DRA_DEVICES_HEALTHY,
    DRA_DRIVER_READY,
    DRA_SLICES_MATCH_GPUS,
)
from gpu_conformance.facts.cluster import PluginPod, ProbeOutcome
from gpu_conformance.facts.dra import (
    DRA_DRIVER,
    DRA_GROUP,
    GPU_CLASS,
    MIG_CLASS,
    SUPPORTED_VERSIONS,
    DraDevice,
    DraFacts,
)
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.requirements.device_plugin import crashed_recently, pod_state
from gpu_conformance.requirements.driver_facts import known_driver
from gpu_conformance.requirements.node_selection import placement_mismatch
from gpu_conformance.requirements.wording import key_line, plural, probe_unavailable, quoted
from gpu_conformance.verdict import Verdict

DISCOVERY = f"GET /apis/{DRA_GROUP} (API discovery)"
PLUGIN_SOURCE = "DaemonSets and pods in all namespaces"
NO_API = "resource.k8s.io is not served in a supported version: see DRA-API"
# The kubelet plugin's telling log lines (kubernetes-sigs/dra-driver-nvidia-gpu), best first: its driver-root
# check ("Check failed. Has the NVIDIA GPU driver been set up? ..."), then NVML's and the plugin's own errors.
DRA_LOG_PHRASES = (
    "Has the NVIDIA GPU driver been set up?",
    "NVML",
    "error creating driver",
    "error",
)


def _slices_source(dra: DraFacts, node: str) -> str:
    return f"ResourceSlices of driver {DRA_DRIVER} on node {node} ({dra.source})"


def dra_api(dra: DraFacts) -> Verdict:
    served = ", ".join(f"{DRA_GROUP}/{v}" for v in dra.served_versions) or f"no {DRA_GROUP}"
    if dra.version is not None:
        return Verdict.passed(DRA_API, f"{served}; the suite speaks {DRA_GROUP}/{dra.version}", DISCOVERY)
    return Verdict.failed(DRA_API, served, DISCOVERY, f"{DRA_GROUP} in {', '.join(SUPPORTED_VERSIONS)}")


def device_classes(dra: DraFacts) -> Verdict:
    if dra.version is None:
        return Verdict.skipped(DRA_DEVICECLASS, NO_API)
    source = f"GET /apis/{DRA_GROUP}/{dra.version}/deviceclasses"
    wanted = [GPU_CLASS, *([MIG_CLASS] if dra.uses_mig else [])]
    found = f"DeviceClasses {', '.join(dra.device_classes)}" if dra.device_classes else "no DeviceClass"
    missing = [c for c in wanted if c not in dra.device_classes]
    if not missing:
        return Verdict.passed(DRA_DEVICECLASS, found, source)
    why = " (a node's ResourceSlices hold MIG devices)" if MIG_CLASS in missing else ""
    return Verdict.failed(DRA_DEVICECLASS, found, source, f"DeviceClass {' and '.join(missing)}{why}")


def _no_plugin_pod(dra: DraFacts, node: GpuNode) -> Verdict:
    found = f"no DRA kubelet-plugin pod on node {node.name}"
    expected = "one Running and Ready pod of the DRA kubelet-plugin DaemonSet"
    if not dra.plugin_daemonsets:
        return Verdict.failed(DRA_DRIVER_READY, f"{found} (no DaemonSet of NVIDIA's DRA driver)", PLUGIN_SOURCE,
                              expected)
    mismatches = [(d, placement_mismatch(d, node.labels)) for d in dra.plugin_daemonsets]
    daemonset, mismatch = next(((d, m) for d, m in mismatches if m is not None), mismatches[0])
    where = f"DaemonSet {daemonset.namespace}/{daemonset.name}"
    if all(m is not None for _, m in mismatches) and mismatch is not None:
        said, label = mismatch
        relabel = f"label the node (`kubectl label node {node.name} {label} --overwrite`) or " if label else ""
        return Verdict.failed(DRA_DRIVER_READY, found, PLUGIN_SOURCE, expected,
                              f"{where} does not select the node: {said}; {relabel}change its node selection")
    return Verdict.failed(DRA_DRIVER_READY, found, PLUGIN_SOURCE, expected,
                          f"{where} selects the node yet placed no pod there: `kubectl -n {daemonset.namespace} "
                          f"describe daemonset {daemonset.name}` shows why in its events")


def _not_ready_fix(pod: PluginPod) -> str:
    return (f"`kubectl -n {pod.namespace} logs {pod.name} -c gpus --previous` shows the full error; the usual "
            f"causes are the driver root (Helm `--set nvidiaDriverRoot=/`, or /run/nvidia/driver under the GPU "
            f"Operator) and the node's driver: see PRE-DRIVER for node {pod.node}")


def driver_ready(dra: DraFacts, node: GpuNode) -> Verdict:
    if dra.version is None:
        return Verdict.skipped(DRA_DRIVER_READY, NO_API)
    pods = dra.plugin_pods_on(node.name)
    if not pods:
        return _no_plugin_pod(dra, node)
    names = ", ".join(f"{p.namespace}/{p.name}" for p in pods)
    if len(pods) > 1:
        return Verdict.failed(DRA_DRIVER_READY, f"{len(pods)} DRA kubelet-plugin pods on node {node.name} ({names})",
                              PLUGIN_SOURCE, "exactly one",
                              "two installs of NVIDIA's DRA driver compete for the node's GPUs: remove all but one")
    pod = pods[0]
    found = f"pod {names} {pod_state(pod)}"
    if pod.phase == "Running" and pod.ready and not crashed_recently(pod):
        return Verdict.passed(DRA_DRIVER_READY, found, PLUGIN_SOURCE)
    line = key_line(pod.log_tail, DRA_LOG_PHRASES)
    if line:
        found += f"; log: {quoted(line)}"
    return Verdict.failed(DRA_DRIVER_READY, found, PLUGIN_SOURCE, "Running and Ready, not crash-looping",
                          _not_ready_fix(pod))


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def _gpu_uuid(device: DraDevice) -> str:
    """The whole GPU a device is or belongs to: a MIG device names its parent."""
    return device.attributes.get("parentUUID", "") if device.kind == "mig" else device.uuid


def _incomplete_pools(dra: DraFacts, node: str) -> list[str]:
    return [f"pool {p.name} generation {p.generation}: {len(p.slices)} of {p.slice_count} slices "
            f"({', '.join(p.slices)})" for p in dra.pools_on(node) if not p.complete]


def slices_match_gpus(dra: DraFacts, outcome: ProbeOutcome, node: GpuNode) -> Verdict:
    if dra.version is None:
        return Verdict.skipped(DRA_SLICES_MATCH_GPUS, NO_API)
    gpus = outcome.probe.gpus if outcome.probe is not None else None
    if gpus is None or not gpus.ok or gpus.value is None:
        raise probe_unavailable(DRA_SLICES_MATCH_GPUS, outcome, "the GPUs",
                                None if gpus is None else f"the probe listed no GPUs ({gpus.error})")
    source = _slices_source(dra, node.name)
    devices = [d for d in dra.devices_on(node.name) if d.kind in ("gpu", "mig")]
    seen = {g.uuid: g for g in gpus.value}
    published = {_gpu_uuid(d): d for d in devices}
    expected = f"{plural(len(seen), 'GPU')} listed by {gpus.source}: {', '.join(seen)}"
    problems = _incomplete_pools(dra, node.name)
    missing = [u for u in seen if u not in published]
    foreign = [u for u in published if u not in seen]
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if foreign:
        problems.append(f"GPUs the node does not have: {', '.join(foreign)}")
    problems += [f"device {d.name} ({u}) productName {d.product_name!r}, NVML says {seen[u].name!r}"
                 for u, d in published.items() if u in seen and d.product_name != seen[u].name]
    driver = known_driver(outcome.probe, node)
    if driver is not None:
        version, where = driver
        problems += [f"device {d.name} driverVersion {d.driver_version or '(none)'}, the node's driver is {version} "
                     f"({where})" for d in published.values() if _numbers(d.driver_version) != _numbers(version)]
    found = f"{plural(len(published), 'GPU')} published ({', '.join(published) or 'none'})"
    if not problems:
        return Verdict.passed(DRA_SLICES_MATCH_GPUS, f"{found}, matching the {expected}", source)
    return Verdict.failed(DRA_SLICES_MATCH_GPUS, f"{found}; {'; '.join(problems)}", source,
                          f"every slice of the node's pool, and exactly the {expected}")


def devices_healthy(dra: DraFacts, node: GpuNode) -> Verdict:
    if dra.version is None:
        return Verdict.skipped(DRA_DEVICES_HEALTHY, NO_API)
    devices = dra.devices_on(node.name)
    if not devices:
        return Verdict.skipped(DRA_DEVICES_HEALTHY, f"node {node.name} publishes no device in ResourceSlices of "
                                                    f"driver {DRA_DRIVER}: see DRA-SLICES-MATCH-GPUS")
    source = _slices_source(dra, node.name)
    tainted = [d for d in devices if d.taints]
    if not tainted:
        return Verdict.passed(DRA_DEVICES_HEALTHY, f"{plural(len(devices), 'device')}, none tainted", source)
    found = "; ".join(
        f"device {d.name} ({d.uuid}) tainted " + ", ".join(
            f"{t}" + (f" since {t.time_added}" if t.time_added else "") for t in d.taints)
        for d in tainted)
    return Verdict.failed(DRA_DEVICES_HEALTHY, found, source, "no tainted device")
