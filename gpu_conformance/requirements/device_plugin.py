"""The device plugin (2.2 部署插件到k8s): deployed, its DaemonSets ready, one Ready pod on each GPU node."""

from __future__ import annotations

from collections.abc import Mapping

from gpu_conformance.checks import PLUGIN_DAEMONSET_READY, PLUGIN_DEPLOYED, PLUGIN_POD_READY
from gpu_conformance.facts.cluster import PluginFacts, PluginPod
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.requirements.node_selection import placement_mismatch
from gpu_conformance.requirements.wording import key_line, plural, quoted
from gpu_conformance.verdict import Verdict

# The plugin's telling log lines, best first (NVIDIA k8s-device-plugin, GKE's nvidia-gpu-device-plugin).
PLUGIN_LOG_PHRASES = (
    "If this is a GPU node, did you configure the NVIDIA Container Toolkit?",
    "Failed to start GPU device manager",
    "Failed to initialize NVML",
    "Incompatible strategy detected",
    "No devices found",
    "error",
)
_IMAGE_PULL = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull")


def _names(plugin: PluginFacts) -> str:
    return ", ".join(f"{d.namespace}/{d.name}" for d in plugin.daemonsets)


def plugin_deployed(plugin: PluginFacts) -> Verdict:
    if plugin.daemonsets:
        found = f"DaemonSet {_names(plugin)} ({plugin.install})"
        return Verdict.passed(PLUGIN_DEPLOYED, found, plugin.source)
    pods = f", and {plural(len(plugin.pods), 'plugin pod')} without one" if plugin.pods else ""
    return Verdict.failed(PLUGIN_DEPLOYED, f"no device plugin DaemonSet (selector {plugin.selector}){pods}",
                          plugin.source, "a DaemonSet running the NVIDIA device plugin")


# A plugin that exited with an error this recently is crash-looping even if it is Ready right now:
# the kubelet's restart back-off tops out at 5 minutes, so a crash loop restarts at least that often.
RECENT_CRASH_SECONDS = 600.0


def crashed_recently(pod: PluginPod) -> bool:
    return pod.last_error_exit_age is not None and pod.last_error_exit_age < RECENT_CRASH_SECONDS


def daemonsets_ready(plugin: PluginFacts) -> Verdict:
    if not plugin.daemonsets:
        return Verdict.skipped(PLUGIN_DAEMONSET_READY, "no device plugin DaemonSet: see PLUGIN-DEPLOYED")
    counts = ", ".join(f"DaemonSet {d.namespace}/{d.name} {d.ready}/{d.desired} ready"
                       for d in plugin.daemonsets)
    lagging = [d for d in plugin.daemonsets if d.ready != d.desired]
    crashing = [p for p in plugin.pods if crashed_recently(p)]
    if not lagging and not crashing:
        return Verdict.passed(PLUGIN_DAEMONSET_READY, counts, plugin.source)
    if crashing:
        counts += "; crash-looping: " + ", ".join(f"{p.namespace}/{p.name}" + (" (Ready for now)" if p.ready else "")
                                                for p in crashing)
    lagging = lagging or list(plugin.daemonsets)
    fix = "; ".join(f"`kubectl -n {d.namespace} describe daemonset {d.name}`" for d in lagging)
    expected = "every desired pod ready" + (", none crash-looping" if crashing else "")
    return Verdict.failed(PLUGIN_DAEMONSET_READY, counts, plugin.source, expected,
                          f"{fix}, and `kubectl -n {lagging[0].namespace} get pods -o wide`: the nodes whose "
                          "plugin pod is not Ready fail PLUGIN-POD-READY with the cause")


def _taint(taint: Mapping[str, str]) -> str:
    value = f"={taint['value']}" if taint.get("value") else ""
    return f"{taint.get('key', '')}{value}:{taint.get('effect', '')}"


def _no_pod(plugin: PluginFacts, node: GpuNode) -> Verdict:
    """Why a DaemonSet leaves a GPU node out: the rule of its node selection the node's labels break, else
    taints it does not tolerate or its events."""
    found = f"no device plugin pod on node {node.name} (selector {plugin.selector})"
    expected = "one Running and Ready device plugin pod"
    if not plugin.daemonsets:
        return Verdict.failed(PLUGIN_POD_READY, found, plugin.source, expected,
                              "no device plugin DaemonSet: see PLUGIN-DEPLOYED")
    mismatches = [(d, placement_mismatch(d, node.labels)) for d in plugin.daemonsets]
    if all(mismatch for _, mismatch in mismatches):
        daemonset, mismatch = mismatches[0]
        assert mismatch is not None
        said, label = mismatch
        relabel = f"label the node (`kubectl label node {node.name} {label} --overwrite`) or " if label else ""
        fix = (f"DaemonSet {daemonset.namespace}/{daemonset.name} does not select the node: {said}; {relabel}"
               "change the DaemonSet's node selection")
        return Verdict.failed(PLUGIN_POD_READY, found, plugin.source, expected, fix)
    daemonset = next(d for d, mismatch in mismatches if mismatch is None)
    fix = (f"DaemonSet {daemonset.namespace}/{daemonset.name} selects the node yet placed no pod there: "
           f"`kubectl -n {daemonset.namespace} describe daemonset {daemonset.name}` shows why in its events")
    if node.taints:
        fix += f"; compare its tolerations with the node's taints ({', '.join(_taint(t) for t in node.taints)})"
    return Verdict.failed(PLUGIN_POD_READY, found, plugin.source, expected, fix)


def pod_state(pod: PluginPod) -> str:
    """``Running, not Ready (its container is waiting: CrashLoopBackOff), last exit ..., 5 restarts``; a pod that is
    Ready between two crashes says so, and a pod that is not Ready never reads as Ready."""
    if pod.ready and crashed_recently(pod):
        readiness = (f"Ready for now but crash-looping (its last run exited with an error "
                     f"{pod.last_error_exit_age:.0f} s ago)")
    elif pod.ready:
        readiness = "Ready"
    else:
        readiness = "not Ready" + (f" (its container is waiting: {pod.waiting_reason})" if pod.waiting_reason else "")
    parts = [pod.phase, readiness] + ([f"last exit {pod.last_exit}"] if pod.last_exit else [])
    return ", ".join([*parts, plural(pod.restarts, "restart")])


def _not_ready_fix(plugin: PluginFacts, pod: PluginPod) -> str:
    if pod.waiting_reason in _IMAGE_PULL:
        images = ", ".join(sorted({d.image for d in plugin.daemonsets})) or "the plugin image"
        return (f"the node cannot pull {images}: mirror it to a registry the node reaches and point the "
                "DaemonSet's image at the mirror")
    return (f"the likely cause is the node's container runtime: see PRE-TOOLKIT and PRE-RUNTIME-DEFAULT for "
            f"node {pod.node}; `kubectl -n {pod.namespace} logs {pod.name} --previous` shows the full error")


def plugin_pod_ready(plugin: PluginFacts, node: GpuNode) -> Verdict:
    pods = plugin.pods_on(node.name)
    if not pods:
        return _no_pod(plugin, node)
    names = ", ".join(f"{p.namespace}/{p.name}" for p in pods)
    if len(pods) > 1:
        found = f"{len(pods)} device plugin pods on node {node.name} ({names})"
        return Verdict.failed(PLUGIN_POD_READY, found, plugin.source, "exactly one",
                              "two device plugin installs compete for the node's GPUs (e.g. the static "
                              "manifest and the GPU Operator): remove all but one")
    pod = pods[0]
    found = f"pod {names} {pod_state(pod)}"
    if pod.phase == "Running" and pod.ready and not crashed_recently(pod):
        return Verdict.passed(PLUGIN_POD_READY, found, plugin.source)
    line = key_line(pod.log_tail, PLUGIN_LOG_PHRASES)
    if line:
        found += f"; log: {quoted(line)}"
    return Verdict.failed(PLUGIN_POD_READY, found, plugin.source, "Running and Ready",
                          _not_ready_fix(plugin, pod))
