"""The device-plugin DaemonSet: pods per node, GPU capacity only from a registered plugin."""

from __future__ import annotations

from collections.abc import Callable

from gpusim.model import DevicePluginSetup, HostState, NodeSpec, Scenario
from gpusim.resources import DAEMONSET, NODE

from .conftest import CONTROL_PLANE, RUNC, Sim, gpu_node, scenario

DS = ("kube-system", "nvidia-device-plugin-daemonset")


def _node(sim: Sim, name: str) -> dict:  # type: ignore[type-arg]
    return sim.store.get(NODE, "", name)


def _plugin_pod(sim: Sim, node: str) -> dict | None:  # type: ignore[type-arg]
    return next((p for p in sim.pods("kube-system") if p["spec"].get("nodeName") == node), None)


def test_one_ready_plugin_pod_per_gpu_node_and_capacity(start_sim: Callable[[Scenario], Sim]) -> None:
    sim = start_sim(scenario(CONTROL_PLANE, gpu_node("gpu-1", "127.0.10.2"), gpu_node("gpu-2", "127.0.10.3", count=4),
                             plugin=DevicePluginSetup(style="static")))
    status = sim.wait(lambda: (s := sim.store.get(DAEMONSET, *DS).get("status", {})).get("numberReady") == 2 and s,
                      what="two ready plugin pods")
    assert status["desiredNumberScheduled"] == 2 and status["currentNumberScheduled"] == 2
    assert status["numberMisscheduled"] == 0 and status["numberAvailable"] == 2
    assert status["updatedNumberScheduled"] == 2 and status["observedGeneration"] == 1
    sim.wait(lambda: _node(sim, "gpu-2")["status"]["capacity"].get("nvidia.com/gpu") == "4", what="capacity")
    assert _node(sim, "gpu-1")["status"]["allocatable"]["nvidia.com/gpu"] == "2"
    assert "nvidia.com/gpu" not in _node(sim, "cp")["status"]["capacity"]
    pod = _plugin_pod(sim, "gpu-1")
    assert pod is not None
    ref = pod["metadata"]["ownerReferences"][0]
    assert (ref["kind"], ref["controller"], ref["blockOwnerDeletion"]) == ("DaemonSet", True, True)
    assert pod["metadata"]["labels"]["name"] == "nvidia-device-plugin-ds"
    assert set(pod["metadata"]["labels"]) >= {"controller-revision-hash", "pod-template-generation"}
    terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"] == [{"matchFields": [{"key": "metadata.name", "operator": "In",
                                                            "values": ["gpu-1"]}]}]
    log = "".join(sim.logs.read("kube-system", pod["metadata"]["name"], "nvidia-device-plugin-ctr") or [])
    assert "Registered device plugin for 'nvidia.com/gpu' with Kubelet" in log


def test_crashloop_node_restarts_and_never_gets_capacity(start_sim: Callable[[Scenario], Sim]) -> None:
    broken = gpu_node("gpu-1", "127.0.10.2", host=HostState(driver_version="535.104.05", runtime=RUNC))
    sim = start_sim(scenario(broken, plugin=DevicePluginSetup(style="static")))
    pod = sim.wait(lambda: (p := _plugin_pod(sim, "gpu-1")) and
                   p["status"].get("containerStatuses", [{}])[0].get("restartCount", 0) >= 2 and p,
                   timeout=15, what="restarts")
    name = pod["metadata"]["name"]
    log = "".join(sim.logs.read("kube-system", name, "nvidia-device-plugin-ctr", previous=True) or [])
    assert "Incompatible strategy detected auto" in log
    assert "If this is a GPU node, did you configure the NVIDIA Container Toolkit?" in log
    waiting = sim.wait(lambda: (s := (_plugin_pod(sim, "gpu-1") or {})["status"]["containerStatuses"][0])
                       .get("state", {}).get("waiting", {}).get("reason") == "CrashLoopBackOff" and s,
                       timeout=15, what="CrashLoopBackOff")
    uid = pod["metadata"]["uid"]
    assert waiting["ready"] is False and waiting["lastState"]["terminated"]["exitCode"] == 1
    assert waiting["state"]["waiting"]["message"].endswith(
        f"restarting failed container=nvidia-device-plugin-ctr pod={name}_kube-system({uid})")
    backoff = sim.events(name, "BackOff")
    assert backoff[0]["message"] == (f"Back-off restarting failed container nvidia-device-plugin-ctr in pod "
                                     f"{name}_kube-system({uid})")
    assert "nvidia.com/gpu" not in _node(sim, "gpu-1")["status"]["capacity"]


def test_no_devices_plugin_is_ready_without_capacity(start_sim: Callable[[Scenario], Sim]) -> None:
    node: NodeSpec = gpu_node("gpu-1", "127.0.10.2", device_plugin="no_devices")
    sim = start_sim(scenario(node, plugin=DevicePluginSetup(style="static", fail_on_init_error=False)))
    sim.wait(lambda: sim.store.get(DAEMONSET, *DS).get("status", {}).get("numberReady") == 1, what="ready plugin")
    pod = _plugin_pod(sim, "gpu-1")
    assert pod is not None
    name = pod["metadata"]["name"]
    sim.wait(lambda: "No devices found. Waiting indefinitely." in sim.log(name, "nvidia-device-plugin-ctr",
                                                                         "kube-system"), what="plugin log")
    assert "nvidia.com/gpu" not in _node(sim, "gpu-1")["status"]["capacity"]


def test_gfd_labels_nodes_from_ground_truth(start_sim: Callable[[Scenario], Sim]) -> None:
    sim = start_sim(scenario(gpu_node("gpu-1", "127.0.10.2"), plugin=DevicePluginSetup(style="helm", gfd=True)))
    labels = sim.wait(lambda: (found := _node(sim, "gpu-1")["metadata"]["labels"]).get("nvidia.com/gpu.count")
                      and found, what="GFD labels")
    assert labels["nvidia.com/gpu.product"] == "NVIDIA-GeForce-RTX-4090"
    assert labels["nvidia.com/cuda.driver-version.full"] == "535.104.05"
    assert labels["nvidia.com/cuda.runtime-version.full"] == "12.2"
    assert labels["nvidia.com/gpu.family"] == "ada-lovelace"
    sim.wait(lambda: _node(sim, "gpu-1")["status"]["capacity"].get("nvidia.com/gpu") == "2", what="capacity")
