"""GPU capacity (`kubectl describe no NODE | grep gpu`): advertised at all, and as many as the node has.

A Ready device plugin that advertises nothing fails here, not in PLUGIN-POD-READY: with
fail-on-init-error=false the plugin logs "No devices found. Waiting indefinitely." and stays Ready.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpu_conformance.checks import CAPACITY_ADVERTISED, CAPACITY_GPU_NODES, CAPACITY_MATCHES_GPUS
from gpu_conformance.facts.cluster import PluginFacts, ProbeOutcome
from gpu_conformance.facts.gpu_nodes import MIG_PREFIX, SHARED_GPU, WHOLE_GPU, GpuNode
from gpu_conformance.requirements.wording import key_line, node_field, plural, probe_unavailable, quoted
from gpu_conformance.settings import Settings
from gpu_conformance.verdict import Verdict

GFD_COUNT = "nvidia.com/gpu.count"
GFD_REPLICAS = "nvidia.com/gpu.replicas"
GFD_SHARING = "nvidia.com/gpu.sharing-strategy"
GFD_MIG_STRATEGY = "nvidia.com/mig.strategy"
GFD_PRODUCT = "nvidia.com/gpu.product"
NO_DEVICES = "No devices found"


def _source(node: GpuNode) -> str:
    return node_field(node.name, "status.capacity and status.allocatable")


def _counts(node: GpuNode) -> str:
    resources = sorted(set(node.capacity) | set(node.allocatable))
    if not resources:
        return f"no {WHOLE_GPU} in capacity or allocatable"
    return "; ".join(f"{r} capacity {node.capacity.get(r, 0)}, allocatable {node.allocatable.get(r, 0)}"
                     for r in resources)


def _why_nothing(node: GpuNode, plugin: PluginFacts) -> str:
    ready = [p for p in plugin.pods_on(node.name) if p.phase == "Running" and p.ready]
    if any(v > 0 for v in node.capacity.values()):
        if not ready:  # the kubelet keeps the capacity of a plugin that went away, with nothing allocatable
            return ("the kubelet still counts the GPUs an earlier device plugin registered, but no Ready device "
                    "plugin on the node offers them: see PLUGIN-POD-READY")
        pod = ready[0]
        return (f"the kubelet counts GPUs but none is allocatable: device plugin pod {pod.namespace}/{pod.name} "
                f"reports them unhealthy; look for XID errors in `kubectl -n {pod.namespace} logs {pod.name}` and "
                "in the node's `dmesg`")
    if not ready:
        return "no Ready device plugin on the node registers GPUs: see PLUGIN-POD-READY"
    pod = ready[0]
    line = key_line(pod.log_tail, (NO_DEVICES,))
    if line and NO_DEVICES in line:
        why = (f"its log says {quoted(line)}: with fail-on-init-error=false the plugin stays Ready when it "
               "cannot see the GPUs")
    else:
        why = (f'with fail-on-init-error=false the plugin logs "{NO_DEVICES}. Waiting indefinitely." and '
               "stays Ready when it cannot see the GPUs")
    return (f"device plugin pod {pod.namespace}/{pod.name} is Ready but advertises nothing; {why}; fix "
            "PRE-DRIVER, PRE-TOOLKIT and PRE-RUNTIME-DEFAULT for the node, then "
            f"`kubectl -n {pod.namespace} delete pod {pod.name}` so it registers again")


def gpu_nodes_found(nodes: list[GpuNode], server: str, expected: int | None = None) -> Verdict:
    """No GPU node at all is one clear failure, not a silent run of zero per-node checks; with
    --expected-gpu-nodes, fewer nodes advertising GPUs than that fail, naming those that advertise none."""
    source = f"the nodes of {server}"
    advertising = [n for n in nodes if n.advertised_gpus > 0]
    silent = [n for n in nodes if n.advertised_gpus == 0]
    if not nodes:
        return Verdict.failed(CAPACITY_GPU_NODES, "no GPU node", source,
                              f"nodes advertising {WHOLE_GPU}, {MIG_PREFIX}* or {SHARED_GPU}, publishing devices in "
                              "ResourceSlices of driver gpu.nvidia.com (DRA), or labelled "
                              "nvidia.com/gpu.present / feature.node.kubernetes.io/pci-10de.present")
    found = plural(len(advertising), "GPU node") + " advertising GPUs"
    if silent:
        shown = "; ".join(f"{n.name} ({', '.join(n.why)})" for n in silent[:5])
        more = f" and {len(silent) - 5} more" if len(silent) > 5 else ""
        found += f", {plural(len(silent), 'node')} looking like GPU nodes that advertise none: {shown}{more}"
    if expected is None or len(advertising) >= expected:
        return Verdict.passed(CAPACITY_GPU_NODES, found, source)
    return Verdict.failed(CAPACITY_GPU_NODES, found, source,
                          f"{expected} GPU nodes advertising GPUs (--expected-gpu-nodes)",
                          "see CAPACITY-ADVERTISED for each node that advertises none" if silent else None)


def capacity_advertised(node: GpuNode, plugin: PluginFacts) -> Verdict:
    if any(v > 0 and node.allocatable.get(r, 0) > 0 for r, v in node.capacity.items()):
        return Verdict.passed(CAPACITY_ADVERTISED, _counts(node), _source(node))
    expected = f"capacity and allocatable > 0 (a GPU node: {', '.join(node.why)})"
    return Verdict.failed(CAPACITY_ADVERTISED, _counts(node), _source(node), expected,
                          _why_nothing(node, plugin))


def _mig(node: GpuNode) -> str | None:
    """Why the advertised count cannot be held against the GPUs (MIG instances), or None."""
    mig = [f"{r}: {v}" for r, v in sorted(node.capacity.items()) if r.startswith(MIG_PREFIX) and v > 0]
    product = node.labels.get(GFD_PRODUCT, "")
    if mig or "-MIG-" in product:
        shown = ", ".join(mig) or f"{GFD_PRODUCT}={product}"
        return (f"node {node.name} advertises MIG instances ({shown}): the probe does not list MIG devices "
                "to count them against")
    return None


@dataclass(frozen=True)
class Sharing:
    """GPU sharing as the device plugin and GPU Feature Discovery describe it: each GPU advertised ``replicas``
    times under ``resource`` (nvidia.com/gpu, or nvidia.com/gpu.shared with renameByDefault)."""

    resource: str
    strategy: str  # time-slicing, mps, or none
    replicas: int | None  # None: the node shares its GPUs but no label says how many times


def sharing(node: GpuNode) -> Sharing:
    replicas = node.labels.get(GFD_REPLICAS, "")
    strategy = node.labels.get(GFD_SHARING, "") or "none"
    resource = SHARED_GPU if node.capacity.get(SHARED_GPU, 0) > 0 else WHOLE_GPU
    shared = resource == SHARED_GPU or strategy != "none" or replicas not in ("", "0", "1")
    if not shared:
        return Sharing(WHOLE_GPU, "none", 1)
    return Sharing(resource, strategy, int(replicas) if replicas.isdigit() and int(replicas) > 0 else None)


def _expected(node: GpuNode, outcome: ProbeOutcome, settings: Settings) -> tuple[int, str]:
    """(how many GPUs the node has, and according to what): --expected-gpus, the probe, GFD's label."""
    wanted = settings.expected_gpu_count(node.name)
    if wanted is not None:
        given = settings.sources.get("expected-gpus", "settings")
        return wanted, f"--expected-gpus {node.name}={wanted} ({given})"
    gpus = outcome.probe.gpus if outcome.probe is not None else None
    if gpus is not None and gpus.ok and gpus.value is not None:
        return len(gpus.value), f"{plural(len(gpus.value), 'GPU')} listed by {gpus.source}"
    why = outcome.error if gpus is None else f"the probe listed no GPUs ({gpus.error})"
    label = node.labels.get(GFD_COUNT, "")
    if label.isdigit():
        labels = node_field(node.name, "metadata.labels")
        where = f"GPU Feature Discovery label {GFD_COUNT}={label} on {labels}"
        return int(label), f"{plural(int(label), 'GPU')} per {where} (the probe failed: {why})"
    raise probe_unavailable(CAPACITY_MATCHES_GPUS, outcome, "the GPUs", why,
                            f"no --expected-gpus entry and no {GFD_COUNT} label on the node either")


def capacity_matches_gpus(node: GpuNode, outcome: ProbeOutcome, settings: Settings) -> Verdict:
    """The advertised count is the node's GPUs, or its GPUs x replicas where they are shared (time-slicing, MPS)."""
    mig = _mig(node)
    if mig is not None:
        return Verdict.skipped(CAPACITY_MATCHES_GPUS, mig)
    shared = sharing(node)
    resource = shared.resource
    capacity, allocatable = node.capacity.get(resource, 0), node.allocatable.get(resource, 0)
    if not capacity:
        return Verdict.skipped(CAPACITY_MATCHES_GPUS, f"node {node.name} advertises no {resource}: "
                                                      "see CAPACITY-ADVERTISED")
    if shared.replicas is None:
        return Verdict.skipped(CAPACITY_MATCHES_GPUS, f"node {node.name} shares its GPUs ({resource} capacity "
                                                      f"{capacity}, {GFD_SHARING}={shared.strategy}) but no "
                                                      f"{GFD_REPLICAS} label says how many times")
    count, according = _expected(node, outcome, settings)
    wanted = count * shared.replicas
    if shared.replicas != 1 or resource != WHOLE_GPU:
        according = f"{wanted} = {according} x {shared.replicas} replicas ({GFD_SHARING}={shared.strategy})"
    found = f"{resource} capacity {capacity}, allocatable {allocatable}"
    if capacity == wanted:  # allocatable below capacity (unhealthy GPUs) is HEALTH-ALLOCATABLE's finding
        return Verdict.passed(CAPACITY_MATCHES_GPUS, f"{found}, matching {according}", _source(node))
    fix = CAPACITY_MATCHES_GPUS.remediation
    if according.startswith("--expected-gpus"):
        fix += "; or correct --expected-gpus"
    return Verdict.failed(CAPACITY_MATCHES_GPUS, found, _source(node), according, fix)
