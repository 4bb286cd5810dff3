"""PLUGIN-DEPLOYED, PLUGIN-DAEMONSET-READY and PLUGIN-POD-READY on the plugin as collectors find it."""

from __future__ import annotations

import dataclasses

import pytest

from gpu_conformance.facts.cluster import NodeRequirement, PluginDaemonSet
from gpu_conformance.requirements.device_plugin import daemonsets_ready, plugin_deployed, plugin_pod_ready

from .builders import CRASH_LOG, STATIC_DS, gpu_node, plugin, plugin_pod

SOURCE = "DaemonSets and pods in all namespaces"
DS = "kube-system/nvidia-device-plugin-daemonset"
POD = "kube-system/nvidia-device-plugin-daemonset-w5kwg"


def test_deployed() -> None:
    verdict = plugin_deployed(plugin(plugin_pod()))
    assert verdict.message == (f"found DaemonSet {DS} (static manifest) at {SOURCE}")


def test_not_deployed_gives_the_tutorials_command() -> None:
    verdict = plugin_deployed(plugin(daemonsets=()))
    assert not verdict.ok
    assert verdict.message.startswith(
        f"[PLUGIN-DEPLOYED] found no device plugin DaemonSet (selector name=nvidia-device-plugin-ds) at "
        f"{SOURCE}, expected a DaemonSet running the NVIDIA device plugin; fix: `kubectl create -f "
        "https://raw.githubusercontent.com/NVIDIA/k8s-device-plugin/v0.14.3/nvidia-device-plugin.yml`")
    assert "helm upgrade -i nvdp nvdp/nvidia-device-plugin" in verdict.message
    orphans = plugin_deployed(plugin(plugin_pod(), daemonsets=()))
    assert "(selector name=nvidia-device-plugin-ds), and 1 plugin pod without one at" in orphans.message


def test_daemonsets_ready() -> None:
    verdict = daemonsets_ready(plugin())
    assert verdict.message == f"found DaemonSet {DS} 2/2 ready at {SOURCE}"


def test_daemonset_not_ready_names_it() -> None:
    lagging = PluginDaemonSet("gpu-operator", "nvidia-device-plugin-daemonset", 3, 2,
                              "nvcr.io/nvidia/k8s-device-plugin:v0.17.0-ubi9")
    verdict = daemonsets_ready(plugin(daemonsets=(STATIC_DS, lagging)))
    assert not verdict.ok
    assert verdict.message.startswith(
        "[PLUGIN-DAEMONSET-READY] found DaemonSet kube-system/nvidia-device-plugin-daemonset 2/2 ready, "
        "DaemonSet gpu-operator/nvidia-device-plugin-daemonset 2/3 ready at "
        f"{SOURCE}, expected every desired pod ready; fix: "
        "`kubectl -n gpu-operator describe daemonset nvidia-device-plugin-daemonset`")


def test_daemonset_readiness_skips_without_a_daemonset() -> None:
    verdict = daemonsets_ready(plugin(daemonsets=()))
    assert verdict.skip and verdict.message == ("[PLUGIN-DAEMONSET-READY] no device plugin DaemonSet: "
                                                "see PLUGIN-DEPLOYED")


def test_pod_ready_reports_restarts_even_on_pass() -> None:
    assert plugin_pod_ready(plugin(plugin_pod()), gpu_node()).message == \
        f"found pod {POD} Running, Ready, 0 restarts at {SOURCE}"
    verdict = plugin_pod_ready(plugin(plugin_pod(restarts=3)), gpu_node())
    assert (verdict.ok, verdict.message) == (True, f"found pod {POD} Running, Ready, 3 restarts at {SOURCE}")


def test_a_pod_ready_between_crashes_is_not_taken_for_healthy() -> None:
    """A crash-looping plugin is Ready for a moment after each restart; its last error exit gives it away."""
    crashing = dataclasses.replace(plugin_pod(restarts=4, last_exit="Error (exit code 1)"), last_error_exit_age=12.0)
    verdict = plugin_pod_ready(plugin(crashing), gpu_node())
    assert not verdict.ok
    assert (f"found pod {POD} Running, Ready for now but crash-looping (its last run exited with an error 12 s ago), "
            "last exit Error (exit code 1), 4 restarts at") in verdict.message
    cluster = daemonsets_ready(plugin(crashing))
    assert not cluster.ok and f"crash-looping: {POD} (Ready for now)" in cluster.message
    long_ago = dataclasses.replace(crashing, last_error_exit_age=3600.0)  # one crash an hour ago: settled since
    assert plugin_pod_ready(plugin(long_ago), gpu_node()).ok and daemonsets_ready(plugin(long_ago)).ok


def test_crash_loop_quotes_the_log_and_points_at_the_runtime() -> None:
    pod = plugin_pod(ready=False, restarts=5, waiting="CrashLoopBackOff", last_exit="Error (exit code 1)",
                     log=CRASH_LOG)
    verdict = plugin_pod_ready(plugin(pod), gpu_node())
    assert not verdict.ok
    assert verdict.message == (
        f"[PLUGIN-POD-READY] found pod {POD} Running, not Ready (its container is waiting: CrashLoopBackOff), last "
        "exit Error "
        '(exit code 1), 5 restarts; log: "If this is a GPU node, did you configure the NVIDIA Container '
        f'Toolkit?" at {SOURCE}, expected Running and Ready; fix: the likely cause is the node\'s container '
        "runtime: see PRE-TOOLKIT and PRE-RUNTIME-DEFAULT for node k8s-node05; `kubectl -n kube-system logs "
        "nvidia-device-plugin-daemonset-w5kwg --previous` shows the full error")


def test_a_pod_that_is_not_ready_never_reads_as_ready() -> None:
    pod = dataclasses.replace(plugin_pod(ready=False, restarts=5, waiting="CrashLoopBackOff",
                                         last_exit="Error (exit code 1)"), last_error_exit_age=12.0)
    message = plugin_pod_ready(plugin(pod), gpu_node()).message
    assert f"found pod {POD} Running, not Ready (its container is waiting: CrashLoopBackOff), last exit" in message
    assert "Ready for now" not in message and ", Ready" not in message


def test_gke_plugin_log_line() -> None:
    log = ("I0101 12:00:00.000000       1 nvidia_gpu.go:75] device-plugin started\n"
           "E0101 12:00:00.000000       1 nvidia_gpu.go:86] Failed to start GPU device manager: failed to "
           "find nvidia-smi in the host installation of the NVIDIA driver\n")
    pod = plugin_pod(ready=False, waiting="CrashLoopBackOff", restarts=1, log=log)
    assert '1 restart; log: "Failed to start GPU device manager: failed to find nvidia-smi' in \
        plugin_pod_ready(plugin(pod), gpu_node()).message


def test_image_pull_points_at_the_image() -> None:
    pod = plugin_pod(phase="Pending", ready=False, waiting="ImagePullBackOff")
    verdict = plugin_pod_ready(plugin(pod), gpu_node())
    assert f"found pod {POD} Pending, not Ready (its container is waiting: ImagePullBackOff), 0 restarts at" in \
        verdict.message
    assert "fix: the node cannot pull nvcr.io/nvidia/k8s-device-plugin:v0.14.3: mirror it" in verdict.message


OPERATOR_SELECTOR = (("nvidia.com/gpu.deploy.device-plugin", "true"),)
HELM_AFFINITY = ((NodeRequirement("feature.node.kubernetes.io/pci-10de.present", "In", ("true",)),),
                 (NodeRequirement("feature.node.kubernetes.io/cpu-model.vendor_id", "In", ("NVIDIA",)),
                  NodeRequirement("feature.node.kubernetes.io/pci-10de.present", "In", ("true",))),
                 (NodeRequirement("nvidia.com/gpu.present", "In", ("true",)),))
NAMED = "DaemonSet kube-system/nvidia-device-plugin-daemonset"
DESCRIBE = "`kubectl -n kube-system describe daemonset nvidia-device-plugin-daemonset` shows why in its events"


@pytest.mark.parametrize(("selector", "affinity", "labels", "fix"), [
    (OPERATOR_SELECTOR, (), {"nvidia.com/gpu.deploy.device-plugin": "false"},
     f"{NAMED} does not select the node: its nodeSelector wants nvidia.com/gpu.deploy.device-plugin=true, the node "
     "has nvidia.com/gpu.deploy.device-plugin=false; label the node (`kubectl label node k8s-node05 "
     "nvidia.com/gpu.deploy.device-plugin=true --overwrite`) or change the DaemonSet's node selection"),
    (OPERATOR_SELECTOR, (), {},
     f"{NAMED} does not select the node: its nodeSelector wants nvidia.com/gpu.deploy.device-plugin=true, the node "
     "has no label nvidia.com/gpu.deploy.device-plugin; label the node"),
    ((), HELM_AFFINITY, {"feature.node.kubernetes.io/pci-10de.present": "false"},
     f"{NAMED} does not select the node: its required node affinity wants feature.node.kubernetes.io/pci-10de.present "
     "in (true) or feature.node.kubernetes.io/cpu-model.vendor_id in (NVIDIA) or nvidia.com/gpu.present in (true), "
     "the node has feature.node.kubernetes.io/pci-10de.present=false, no label "
     "feature.node.kubernetes.io/cpu-model.vendor_id, no label nvidia.com/gpu.present; label the node "
     "(`kubectl label node k8s-node05 feature.node.kubernetes.io/pci-10de.present=true --overwrite`)"),
    ((), HELM_AFFINITY, {"nvidia.com/gpu.present": "true"}, f"{NAMED} selects the node yet placed no pod there: "
                                                           f"{DESCRIBE}"),
    ((), (), {}, f"{NAMED} selects the node yet placed no pod there: {DESCRIBE}"),
])
def test_no_pod_on_the_node_names_the_rule_its_labels_break(
        selector: tuple[tuple[str, str], ...], affinity: tuple[tuple[NodeRequirement, ...], ...],
        labels: dict[str, str], fix: str) -> None:
    daemonset = dataclasses.replace(STATIC_DS, node_selector=selector, affinity_terms=affinity)
    verdict = plugin_pod_ready(plugin(plugin_pod(node="k8s-node06"), daemonsets=(daemonset,)),
                               gpu_node(labels=labels))
    assert verdict.message.startswith(
        "[PLUGIN-POD-READY] found no device plugin pod on node k8s-node05 (selector "
        f"name=nvidia-device-plugin-ds) at {SOURCE}, expected one Running and Ready device plugin pod; fix: {fix}")
    assert "taints" not in verdict.message


def test_a_selected_node_that_got_no_pod_names_its_taints() -> None:
    taint = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
    verdict = plugin_pod_ready(plugin(plugin_pod(node="k8s-node06")), gpu_node(taints=(taint,)))
    assert verdict.message.endswith(f"fix: {NAMED} selects the node yet placed no pod there: {DESCRIBE}; compare its "
                                    "tolerations with the node's taints (nvidia.com/gpu=present:NoSchedule)")


def test_no_pod_and_no_daemonset() -> None:
    verdict = plugin_pod_ready(plugin(daemonsets=()), gpu_node())
    assert verdict.message.endswith("fix: no device plugin DaemonSet: see PLUGIN-DEPLOYED")


def test_two_pods_on_one_node() -> None:
    operator = plugin_pod(name="nvidia-device-plugin-daemonset-9xk2q")
    verdict = plugin_pod_ready(plugin(plugin_pod(), operator), gpu_node())
    assert verdict.message.startswith(
        f"[PLUGIN-POD-READY] found 2 device plugin pods on node k8s-node05 ({POD}, "
        f"kube-system/nvidia-device-plugin-daemonset-9xk2q) at {SOURCE}, expected exactly one; fix: two "
        "device plugin installs compete")
